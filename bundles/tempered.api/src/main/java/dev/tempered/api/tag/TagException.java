package dev.tempered.api.tag;

import dev.tempered.api.TemperedException;
import java.nio.file.Path;

/** A tag could not be planned or written; the file is left exactly as it was. */
public class TagException extends TemperedException {
    private static final long serialVersionUID = 1L;

    public TagException(Path file, String message) {
        super(file, message);
    }

    public TagException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
