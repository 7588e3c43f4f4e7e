package dev.tempered.api.audio;

import java.nio.file.Path;

/** The file looks like a supported format but is empty, truncated, damaged or unreadable. */
public class CorruptAudioException extends AudioException {
    private static final long serialVersionUID = 1L;

    public CorruptAudioException(Path file, String message) {
        super(file, message);
    }

    public CorruptAudioException(Path file, String message, int nativeCode, Throwable cause) {
        super(file, message, nativeCode, cause);
    }
}
