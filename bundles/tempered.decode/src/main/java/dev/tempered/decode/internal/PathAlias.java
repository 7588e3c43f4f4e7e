package dev.tempered.decode.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A name the native decoders can open for a file whose name is not valid in the platform's encoding (Latin-1
 * bytes on a UTF-8 system). Java keeps such a name's bytes in its {@link Path}, but the native libraries get a
 * string, whose U+FFFD replacement names no file ("file not found" before). Such a file is opened through a
 * symbolic link of a plain name in the run's private temporary folder, removed when closed.
 */
final class PathAlias implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path path;
    private final boolean link;

    private PathAlias(Path path, boolean link) {
        this.path = path;
        this.link = link;
    }

    /** The file itself when its name survives the trip through a string, else a link to it. */
    static PathAlias of(Path file) throws IOException {
        if (survives(file)) {
            return new PathAlias(file, false);
        }
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot).replaceAll("[^A-Za-z0-9.]", "");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        Path alias = dir.resolve("tempered-alias-" + HexFormat.of().formatHex(randomBytes()) + ext);
        Files.createSymbolicLink(alias, file.toAbsolutePath());
        return new PathAlias(alias, true);
    }

    /** Whether the name, made a string and back, still names the same bytes (what a native library receives). */
    static boolean survives(Path file) {
        try {
            return Path.of(file.toString()).equals(file);
        } catch (RuntimeException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        if (link) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // A leftover link in the run's private folder goes with the folder.
            }
        }
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }
}
