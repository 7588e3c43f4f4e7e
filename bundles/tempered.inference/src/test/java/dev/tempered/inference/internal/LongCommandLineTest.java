package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's built-in telemetry parsed /proc/self/cmdline with a recursive regex and crashed the JVM
 * (SIGSEGV, exit 139) on command lines over about 4 KB. A fresh JVM with a 10 KB command line opens and runs a
 * real package through the production path, and nothing is written into its temp folder.
 */
class LongCommandLineTest {

    /** The child: opens the package named first and runs it once; the other arguments are ballast. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            OnnxEnsembleModel model = OnnxEnsembleModel.open(Path.of(args[0]), new RunnerOptions(1, false, 16, true));
            try {
                float[] row = new float[model.spec().inputShape().subList(1, model.spec().inputShape().size())
                        .stream().mapToInt(Long::intValue).reduce(1, (a, b) -> a * b)];
                System.out.println("ran " + model.run(new float[][] {row}).members() + " members, "
                        + (args.length - 1) + " ballast arguments");
            } finally {
                model.release();
            }
        }
    }

    @Test
    void tenKilobyteCommandLineRunsAModel(@TempDir Path tmp) throws Exception {
        Path childTmp = Files.createDirectories(tmp.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + childTmp, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                TestPackages.resource("tiny-1").toString()));
        int ballast = 0;
        for (int i = 0; ballast < 10_240; i++) {
            String arg = "/music/some-album/track-" + i + ".ogg";
            cmd.add(arg);
            ballast += arg.length() + 1;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // The child must meet ONNX Runtime as a user's shell would start it: without the switch already set.
        pb.environment().remove(OrtRuntime.DISABLE_TELEMETRY);
        pb.environment().put("TMPDIR", childTmp.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
        assertEquals(0, p.exitValue(), "exit " + p.exitValue() + " with a " + ballast + "-byte command line:\n" + out);
        assertTrue(out.contains("ballast arguments"), out);
        try (Stream<Path> left = Files.list(childTmp)) {
            List<String> names = left.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith("mat-debug") || n.equals(".ses")).toList();
            assertEquals(List.of(), names, "telemetry files written into the temp folder");
        }
    }
}
