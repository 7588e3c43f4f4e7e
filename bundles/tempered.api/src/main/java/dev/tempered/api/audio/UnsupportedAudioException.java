package dev.tempered.api.audio;

import java.nio.file.Path;

/** No installed decoder reads this file: not audio, or a format or codec we do not decode. */
public class UnsupportedAudioException extends AudioException {
    private static final long serialVersionUID = 1L;

    public UnsupportedAudioException(Path file, String message) {
        super(file, message);
    }

    public UnsupportedAudioException(Path file, String message, int nativeCode, Throwable cause) {
        super(file, message, nativeCode, cause);
    }
}
