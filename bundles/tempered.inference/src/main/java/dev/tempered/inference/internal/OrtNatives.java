package dev.tempered.inference.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Copies ONNX Runtime's native libraries out of its jar into a private folder of the home's cache. */
final class OrtNatives {
    /** What ORT's loader loads on Linux, in its order (providers_shared is absent from the CPU build). */
    static final List<String> LIBRARIES = List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rwx------");

    private OrtNatives() {
    }

    /** ORT's own name for this platform's resource folder, or null where this is not Linux. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("nux")) {
            return null;
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "linux-x64";
            case "aarch64" -> "linux-aarch64";
            default -> null;
        };
    }

    /**
     * Makes {@code cache/onnxruntime/<platform>} (each folder we create 0700; the last one must be a real folder
     * owned by us, never a link) and copies the libraries there unless an identical copy is already in place.
     *
     * @return the folder, or null when the jar has no library for this platform (ORT then does as it always did)
     */
    static Path extract(Class<?> fromJar, Path cache) throws IOException {
        String platform = platform();
        if (platform == null || fromJar.getResource("/ai/onnxruntime/native/" + platform + "/" + LIBRARIES.get(0))
                == null) {
            return null;
        }
        Path dir = privateFolder(privateFolder(privateFolder(cache).resolve("onnxruntime")).resolve(platform));
        // Ours and not a link (checked above): whatever mode an older run left, only we may write or read it.
        Files.setPosixFilePermissions(dir, PRIVATE);
        for (String lib : LIBRARIES) {
            byte[] bytes;
            try (InputStream in = fromJar.getResourceAsStream("/ai/onnxruntime/native/" + platform + "/" + lib)) {
                if (in == null) {
                    throw new IOException("ONNX Runtime's jar has no " + platform + "/" + lib);
                }
                bytes = in.readAllBytes();
            }
            Path target = dir.resolve(lib);
            if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == bytes.length
                    && Arrays.equals(Files.readAllBytes(target), bytes)) {
                continue;
            }
            Path tmp = Files.createTempFile(dir, "." + lib, ".tmp", PosixFilePermissions.asFileAttribute(PRIVATE));
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        return dir;
    }

    /** The folder, created 0700 when missing; refused when it is a link or another user's. */
    static Path privateFolder(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectories(dir.getParent());
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PRIVATE));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // Another run made it meanwhile: checked below like any existing folder.
            }
        }
        if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a plain folder (a link or a file): refusing to put libraries there");
        }
        String me = System.getProperty("user.name");
        String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
        if (me != null && !me.equals(owner)) {
            throw new IOException(dir + " belongs to " + owner + ", not " + me);
        }
        return dir;
    }
}
