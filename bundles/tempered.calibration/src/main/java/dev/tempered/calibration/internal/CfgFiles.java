package dev.tempered.calibration.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-model calibration files, written by the {@link CalibrationStore} only (a user may edit them too):
 * {@code deploy/config/dev.tempered.calibration-ID.cfg}, java.util.Properties syntax, read by Felix FileInstall
 * into the factory configuration {@value #FACTORY_PID}{@code ~ID} (keys {@code model.id}, {@code model.version},
 * {@code temperature}, {@code min.confidence}, {@code fitted.on}). Stateless and thread-safe; writers of one
 * file should not race, as with any configuration file.
 */
final class CfgFiles {
    /** The factory PID of per-model calibration configurations. */
    public static final String FACTORY_PID = "dev.tempered.calibration";

    private CfgFiles() {
    }

    /**
     * The file of a model in a watched configuration folder. Named {@code PID-ID.cfg}: FileInstall 3.7 splits a
     * .cfg name at its first '-' into factory PID and configuration name (it does not know the R7 '~' form).
     */
    public static Path file(Path configDir, String modelId) {
        return configDir.resolve(FACTORY_PID + "-" + modelId + ".cfg");
    }

    /** The keys and values of a .cfg text, in the order of the text; malformed escapes throw IOException. */
    public static Map<String, String> read(String text) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        java.util.Properties p = new java.util.Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                out.put((String) key, (String) value);
                return super.put(key, value);
            }
        };
        try (BufferedReader r = new BufferedReader(new StringReader(text))) {
            p.load(r);
        } catch (IllegalArgumentException e) {
            throw new IOException("not a .cfg file: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Writes {@code props} (in their order) as {@code file}, preceded by {@code comment} lines, through a
     * temporary file in {@code tempDir} renamed into place, so FileInstall never reads half a file nor sees the
     * temporary one (keep {@code tempDir} outside the watched folders). Falls back to a temporary file beside the
     * target when the two are on different file systems.
     */
    public static void write(Path file, Map<String, String> props, String comment, Path tempDir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String line : comment.split("\n")) {
            sb.append("# ").append(line).append('\n');
        }
        for (Map.Entry<String, String> e : props.entrySet()) {
            sb.append(e.getKey()).append(" = ").append(escape(e.getValue())).append('\n');
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.createDirectories(tempDir);
        Path tmp = Files.createTempFile(tempDir, ".calibration-", ".tmp");
        try {
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Path near = Files.createTempFile(dir, ".calibration-", ".tmp");
                try {
                    Files.copy(tmp, near, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(near, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    Files.deleteIfExists(near);
                }
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Escapes a value for a .cfg file: backslashes and line breaks as in java.util.Properties, a leading blank
     * (the reader would drop it), and "${" (written "$ {") because FileInstall substitutes variables in values.
     */
    public static String escape(String v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case ' ' -> sb.append(i == 0 ? "\\ " : " ");
                default -> sb.append(c);
            }
        }
        return sb.toString().replace("${", "$ {");
    }
}
