package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM during a job: the job stops between files and returns before any shutdown hook runs. The child JVM has
 * a hook that, like ONNX Runtime's, releases a "native environment" the job's files need.
 */
class StopSignalsTest {
    /** The child: 40 "files" of 50 ms each, stoppable, with an environment a shutdown hook closes. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            AtomicBoolean envClosed = new AtomicBoolean();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> envClosed.set(true)));
            AtomicBoolean stop = new AtomicBoolean();
            int done = 0;
            try (StopSignals s = StopSignals.install(() -> stop.set(true))) {
                for (int i = 0; i < 40 && !stop.get(); i++) {
                    Thread.sleep(50);
                    if (envClosed.get()) {
                        System.out.println("USED AFTER CLOSE");
                    }
                    done++;
                    System.out.println("FILE " + done);
                    System.out.flush();
                }
            }
            System.out.println("RETURNED after " + done);
        }
    }

    @Test
    void sigtermStopsTheJobBetweenFilesBeforeAnyShutdownHookRuns() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Child.class.getName()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (line.equals("FILE 3")) {
                    child.toHandle().destroy();
                }
            }
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue(), out.toString());
        assertTrue(out.toString().contains("RETURNED after "), out.toString());
        assertTrue(!out.toString().contains("FILE 40"), "stopped early: " + out);
        assertTrue(!out.toString().contains("USED AFTER CLOSE"), out.toString());
    }
}
