package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime's native library is loaded from a private 0700 folder of the home's cache, and nothing of it is
 * written into the temp folder: a fresh JVM (the library loads once per process) runs a real package and lists
 * its temp folder while the library is loaded.
 */
class OrtNativeLibraryTest {

    /** The child: runs the package named first, then counts the files in its temp folder. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            OnnxEnsembleModel model = OnnxEnsembleModel.open(Path.of(args[0]), new RunnerOptions(1, false, 16, true));
            try {
                float[] row = new float[model.spec().inputShape().subList(1, model.spec().inputShape().size())
                        .stream().mapToInt(Long::intValue).reduce(1, (a, b) -> a * b)];
                model.run(new float[][] {row});
                try (Stream<Path> s = Files.walk(Path.of(System.getProperty("java.io.tmpdir")))) {
                    System.out.println("temp files while loaded: " + s.filter(Files::isRegularFile).toList());
                }
                System.out.println("native path: " + System.getProperty("onnxruntime.native.path"));
            } finally {
                model.release();
            }
        }
    }

    @Test
    void theNativeLibraryLoadsFromAPrivateFolderOfTheHomesCache(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(OrtNatives.platform() != null, "ONNX Runtime's jar ships Linux libraries only here");
        Path childTmp = Files.createDirectories(tmp.resolve("tmp"));
        Path home = tmp.resolve("home");
        for (int run = 0; run < 2; run++) { // the second run finds its copy in place
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + childTmp, "-Dtempered.home=" + home, "-cp",
                    System.getProperty("java.class.path"), Child.class.getName(),
                    TestPackages.resource("tiny-1").toString()).redirectErrorStream(true);
            pb.environment().put("TMPDIR", childTmp.toString());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child did not finish");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("temp files while loaded: []"), out);
            Path dir = home.resolve("cache/onnxruntime").resolve(OrtNatives.platform());
            assertTrue(out.contains("native path: " + dir), out);
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            for (String lib : OrtNatives.LIBRARIES) {
                assertTrue(Files.size(dir.resolve(lib)) > 0, lib);
            }
            try (Stream<Path> left = Files.list(childTmp)) {
                assertEquals(List.of(), left.toList(), "left in the temp folder");
            }
        }
    }

    @Test
    void aPlantedLinkInsteadOfTheFolderIsRefused(@TempDir Path tmp) throws IOException {
        Assumptions.assumeTrue(OrtNatives.platform() != null, "ONNX Runtime's jar ships Linux libraries only here");
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Path cache = Files.createDirectories(tmp.resolve("home/cache"));
        Files.createSymbolicLink(cache.resolve("onnxruntime"), elsewhere);
        IOException e = assertThrows(IOException.class,
                () -> OrtNatives.extract(ai.onnxruntime.OrtEnvironment.class, cache));
        assertTrue(e.getMessage().contains("not a plain folder"), e.getMessage());
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertEquals(0, s.count(), "nothing written through the link");
        }
    }
}
