package dev.tempered.launcher.cli;

/** Bad command-line arguments or a missing setup; the launcher prints the message and the usage, exit 2. */
public class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
