package dev.tempered.launcher.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Report files written whole: into a temporary file beside the target, then renamed over it. */
final class ReportFiles {
    private ReportFiles() {
    }

    /** What fills the temporary file. */
    interface Content {
        void write(Path tmp) throws IOException;
    }

    /**
     * Replaces {@code file} with what {@code content} writes. A link planted at the target is replaced by the
     * rename, never followed, and a reader never sees half a file.
     */
    static void replace(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp");
        try {
            content.write(tmp);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
