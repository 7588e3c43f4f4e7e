package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second run on a home whose index another Tempered holds: one line naming the home and the other Tempered
 * (it was "internal error" and three pages of H2's stack). The holder is another process, as it is in life:
 * H2 shares an open database between connections of one JVM instead of refusing them.
 */
class BusyHomeTest {
    @TempDir
    Path home;

    @Test
    void anIndexHeldByAnotherProcessGivesOneLineNamingTheHome() throws Exception {
        Path dir = home.resolve("library");
        LibraryIndex.open(dir).close();
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), dir.resolve("index").toString())
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("holding", r.readLine(), "the other process opened the index");
            TemperedException e = assertThrows(TemperedException.class, () -> LibraryIndex.open(dir));
            String m = e.getMessage();
            assertTrue(m.contains("the Tempered home " + home.toAbsolutePath()), m);
            assertTrue(m.contains("in use by another Tempered"), m);
            assertFalse(m.contains("\n"), m);
            assertFalse(m.contains("org.h2"), m);
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
        // Once the other run is over, the index opens again.
        LibraryIndex.open(dir).close();
    }

    @Test
    void anIndexFolderOutsideAHomeIsNamedItself() throws Exception {
        Path dir = home.resolve("elsewhere");
        LibraryIndex.open(dir).close();
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Holder.class.getName(), dir.resolve("index").toString())
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertEquals("holding", r.readLine());
            String m = assertThrows(TemperedException.class, () -> LibraryIndex.open(dir)).getMessage();
            assertTrue(m.contains("the library index folder " + dir.toAbsolutePath()), m);
        } finally {
            holder.getOutputStream().close();
            holder.waitFor();
        }
    }

    /** Another Tempered: holds the index open until its standard input closes. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + args[0], "tempered", "")) {
                System.out.println("holding");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // until the test closes our input
                }
            }
        }
    }

}
