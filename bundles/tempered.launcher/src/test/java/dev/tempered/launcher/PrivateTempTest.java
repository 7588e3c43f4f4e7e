package dev.tempered.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tempered process keeps its temporary files in {@code <home>/cache/tmp/<pid>}: a SIGKILL used to leave an
 * empty {@code /tmp/onnxruntime-java*} (ONNX Runtime makes it at every load, even when the library comes from
 * elsewhere) and a {@code fileinstall-*} folder behind in the shared temp folder.
 */
class PrivateTempTest {
    @TempDir
    Path tmp;

    @Test
    void aKilledRunLeavesNothingInAFreshTempFolderAndTheNextStartRemovesItsFolder() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("shared-tmp"));
        Path home = tmp.resolve("home");
        // As the tempered script starts the JVM: exec keeps the shell's pid, so $$ names the JVM's own folder.
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "exec \"$0\" -XX:-UsePerfData -Djava.io.tmpdir=\"$1/cache/tmp/$$\""
                + " -cp \"$2\" \"$3\" \"$1\"", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                home.toString(), System.getProperty("java.class.path"), Child.class.getName());
        pb.environment().put("TMPDIR", shared.toString());
        Process child = pb.redirectErrorStream(true).start();
        List<String> lines = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
                .toList();
        assertEquals(0, child.waitFor(), lines.toString());
        Path mine = home.resolve("cache/tmp/" + child.pid()).toAbsolutePath();
        assertEquals(List.of("tmpdir " + mine, "ort " + mine, "fileinstall " + mine), lines.stream()
                .map(l -> l.substring(0, l.indexOf(' ') + 1) + Path.of(l.substring(l.indexOf(' ') + 1)).getParent())
                .map(l -> l.startsWith("tmpdir") ? "tmpdir " + mine : l).toList());
        try (Stream<Path> left = Files.list(shared)) {
            assertEquals(List.of(), left.toList(), "written into the shared temp folder");
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(mine.getParent())));
        assertTrue(Files.isDirectory(mine), "the killed run's folder is still there");

        // The next start removes the folders of processes that are gone, and keeps its own.
        Path next = PrivateTemp.prepare(home.resolve("cache/tmp"), ProcessHandle.current().pid());
        assertFalse(Files.exists(mine), "a dead process's folder is removed");
        assertTrue(Files.isDirectory(next));
        PrivateTemp.remove(next);
        assertFalse(Files.exists(next));
    }

    @Test
    void aPlantedLinkInsteadOfTheFolderIsRefused() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home/cache")).getParent();
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(home.resolve("cache/tmp"), elsewhere);
        IOException e = assertThrows(IOException.class, () -> PrivateTemp.prepare(home.resolve("cache/tmp"), 1));
        assertTrue(e.getMessage().contains("not a link"), e.getMessage());
        try (Stream<Path> left = Files.list(elsewhere)) {
            assertEquals(0, left.count());
        }
    }

    /** A tempered process that makes what ONNX Runtime and FileInstall make, then dies as by SIGKILL. */
    public static final class Child {
        public static void main(String[] args) throws Exception {
            Path dir = PrivateTemp.use(Path.of(args[0]));
            System.out.println("tmpdir " + dir);
            // OnnxRuntime.init: Files.createTempDirectory("onnxruntime-java"); FileInstall: File.createTempFile.
            System.out.println("ort " + Files.createTempDirectory("onnxruntime-java"));
            System.out.println("fileinstall " + File.createTempFile("fileinstall", ""));
            System.out.flush();
            // No shutdown hooks, no cleanup: what a SIGKILL leaves.
            Runtime.getRuntime().halt(0);
        }
    }
}
