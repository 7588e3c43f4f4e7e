package dev.tempered.nativeaudio.internal;

import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.UnsupportedAudioException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Checks a path before native code sees it, and encodes it the way the JDK does for system calls. */
public final class NativeFiles {
    /*
     * The JDK maps file names to bytes with sun.jnu.encoding; JNA's String mapping uses jna.encoding or
     * file.encoding instead, which differ under some locales and would break non-ASCII names.
     */
    private static final Charset PATH_CHARSET = pathCharset();

    private NativeFiles() {
    }

    private static Charset pathCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /**
     * Refuses what native code must never be handed: a missing path, a directory, a FIFO or device (an open
     * would block or read forever), an unreadable or empty file.
     *
     * @return the file's size in bytes
     */
    public static long requireReadableFile(Path file) throws AudioException {
        if (file == null) {
            throw new IllegalArgumentException("file is null");
        }
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.exists(file)) {
            throw new CorruptAudioException(file, "file not found");
        }
        if (Files.isDirectory(file)) {
            throw new UnsupportedAudioException(file, "is a directory, not an audio file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UnsupportedAudioException(file, "not a regular file (a device, pipe, socket or broken link)");
        }
        if (!Files.isReadable(file)) {
            throw new CorruptAudioException(file, "cannot be read: permission denied");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (java.io.IOException e) {
            throw new CorruptAudioException(file, "cannot be read: " + e.getMessage(), 0, e);
        }
        if (size == 0) {
            throw new CorruptAudioException(file, "file is empty (0 bytes)");
        }
        return size;
    }

    /** The absolute path as a NUL-terminated byte string for C. */
    public static byte[] cPath(Path file) throws AudioException {
        String s = file.toAbsolutePath().toString();
        if (s.indexOf('\0') >= 0) {
            throw new UnsupportedAudioException(file, "file name contains a NUL character");
        }
        byte[] b = s.getBytes(PATH_CHARSET);
        byte[] z = new byte[b.length + 1];
        System.arraycopy(b, 0, z, 0, b.length);
        return z;
    }
}
