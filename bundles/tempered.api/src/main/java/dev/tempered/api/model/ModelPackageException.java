package dev.tempered.api.model;

import dev.tempered.api.TemperedException;
import java.nio.file.Path;

/** A model package failed verification (manifest, hashes, shapes or the dry run) and was not installed. */
public class ModelPackageException extends TemperedException {
    private static final long serialVersionUID = 1L;

    public ModelPackageException(Path file, String message) {
        super(file, message);
    }

    public ModelPackageException(Path file, String message, Throwable cause) {
        super(file, message, cause);
    }
}
