package dev.tempered.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./tempered sources scripts/utf8-locale.sh before it starts Java: under LC_ALL=C a JVM cannot name any non-ASCII
 * file (InvalidPathException). Here a file is named through /bin/sh under LC_ALL=C and a JVM started the way the
 * launcher starts it must find it by the name given on its command line.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocaleTest {
    @TempDir
    Path tmp;

    private static final Path SCRIPT = Path.of("../../scripts/utf8-locale.sh").toAbsolutePath().normalize();

    /** The child JVM: says whether the file named by its argument exists. */
    public static final class Probe {
        public static void main(String[] a) {
            try {
                System.out.println(Files.isRegularFile(Path.of(a[0])) ? "found" : "not found");
            } catch (InvalidPathException e) {
                System.out.println("invalid path");
            }
        }
    }

    private String run(boolean withScript) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classes = Path.of(Probe.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        // The file is named by the shell under LC_ALL=C, as bytes: e-acute and U+266B in UTF-8.
        String name = "\"$(printf 'caf\\303\\251 \\342\\231\\253.wav')\"";
        String sh = "cd '" + tmp + "' && printf x > " + name + " && "
                + (withScript ? ". '" + SCRIPT + "' && " : "")
                + "exec '" + java + "' -cp '" + classes + "' '" + Probe.class.getName() + "' " + name;
        ProcessBuilder b = new ProcessBuilder("/bin/sh", "-c", sh)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        b.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG"));
        b.environment().put("LC_ALL", "C");
        Process p = b.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the JVM did not exit");
        return out;
    }

    @Test
    void aNonAsciiPathIsFoundUnderLcAllC() throws Exception {
        assertTrue(Files.isRegularFile(SCRIPT), SCRIPT.toString());
        assertEquals("found", run(true));
    }

    @Test
    void withoutTheScriptTheJvmCannotNameIt() throws Exception {
        // Why the script exists, and proof that the test above can fail.
        assertEquals("invalid path", run(false));
    }
}
