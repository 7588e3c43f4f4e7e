package dev.tempered.calibration.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Report files written whole and never through a link: into a new temporary file of an unpredictable name beside
 * the target (created exclusively, so a link planted under that name cannot be followed), then renamed over the
 * target (a link planted at the target is replaced, not followed). Readable by all, as reports are meant to be.
 */
final class ReportFiles {
    private ReportFiles() {
    }

    /** What fills the temporary file. */
    interface Content {
        void write(Path tmp) throws IOException;
    }

    static void replace(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp");
        try {
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            content.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static void replace(Path file, String text) throws IOException {
        replace(file, tmp -> Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8));
    }
}
