package dev.tempered.api;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A checked failure of a Tempered operation, naming the file it concerns when there is one.
 *
 * <p>The message always says what went wrong in words a user can act on; {@link #file()} lets a batch
 * job report the failure against the right file and go on with the next one.
 */
public class TemperedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public TemperedException(Path file, String message) {
        this(file, message, null);
    }

    public TemperedException(Path file, String message, Throwable cause) {
        super(file == null ? message : file + ": " + message, cause);
        this.file = file;
    }

    /** The file this failure concerns, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }
}
