package dev.tempered.api.audio;

import dev.tempered.api.TemperedException;
import java.nio.file.Path;

/** A file could not be read as audio; the subclasses say whether it is unsupported or damaged. */
public class AudioException extends TemperedException {
    private static final long serialVersionUID = 1L;
    private final int nativeCode;

    public AudioException(Path file, String message) {
        this(file, message, 0, null);
    }

    /**
     * @param nativeCode the error code of the native library that failed, or 0 when none applies
     */
    public AudioException(Path file, String message, int nativeCode, Throwable cause) {
        super(file, message, cause);
        this.nativeCode = nativeCode;
    }

    /** The native library's error code, or 0. */
    public int nativeCode() {
        return nativeCode;
    }
}
