package dev.tempered.launcher;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The temporary folder of one tempered process: {@code <home>/cache/tmp/<pid>}, 0700, removed when the command
 * ends; a killed run's folder is removed by the next start. What libraries put into {@code java.io.tmpdir}
 * (ONNX Runtime's {@code onnxruntime-java*} folder at load, FileInstall's {@code fileinstall-*}, ImageIO's cache)
 * lands there instead of in the shared /tmp, where a SIGKILL left them and where names can be planted.
 */
final class PrivateTemp {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private PrivateTemp() {
    }

    /**
     * Makes this process's folder (removing those of processes that are gone) and points {@code java.io.tmpdir}
     * at it. The JDK's NIO temporary files (ONNX Runtime's) read that property only when the JVM starts, so the
     * {@code tempered} script names the folder at launch ({@code -Djava.io.tmpdir=<home>/cache/tmp/$$}, the shell's
     * pid being the JVM's after {@code exec}); that folder is used when it is this process's, else the home's.
     */
    static Path use(Path home) throws IOException {
        long pid = ProcessHandle.current().pid();
        Path launched = Path.of(System.getProperty("java.io.tmpdir", "")).toAbsolutePath().normalize();
        Path parent = launched.getParent();
        boolean fromScript = launched.getFileName() != null && launched.getFileName().toString()
                .equals(Long.toString(pid)) && parent != null && parent.getFileName() != null
                && parent.getFileName().toString().equals("tmp");
        Path dir = prepare(fromScript ? parent : home.toAbsolutePath().resolve("cache").resolve("tmp"), pid);
        System.setProperty("java.io.tmpdir", dir.toString());
        return dir;
    }

    /** Creates {@code <root>/<pid>} (root: {@code <home>/cache/tmp}) and removes the folders of dead processes beside it. */
    static Path prepare(Path root, long pid) throws IOException {
        Files.createDirectories(root.toAbsolutePath().getParent());
        privateFolder(root);
        try (Stream<Path> entries = Files.list(root)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.matches("[0-9]{1,18}") && ProcessHandle.of(Long.parseLong(name)).isEmpty()) {
                    remove(p);
                }
            }
        }
        Path mine = root.resolve(Long.toString(pid));
        // A folder of ours from an earlier process with the same id: its process is gone.
        remove(mine);
        return privateFolder(mine);
    }

    /** Deletes a folder and what is in it, never following a link; quiet when it is gone. */
    static void remove(Path dir) {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // A leftover that cannot go now goes at a later start.
        }
    }

    /** The folder, created 0700 when missing; refused when it is a link, not a folder, or open to others. */
    private static Path privateFolder(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
        } catch (FileAlreadyExistsException e) {
            // checked below
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " must be a folder of its own, not a link or a file");
        }
        String me = System.getProperty("user.name");
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (me != null && !me.equals(owner)) {
            throw new IOException(dir + " belongs to " + owner + ", not " + me);
        }
        // A folder that existed (or a generous umask) is brought back to 0700.
        Files.setPosixFilePermissions(dir, PRIVATE);
        return dir;
    }
}
