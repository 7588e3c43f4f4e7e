package dev.tempered.launcher.cli;

/**
 * One subcommand of the {@code tempered} command line: a picocli {@code @Command} class whose annotated fields
 * hold the parsed options. Implementations adapt API services (looked up through {@link CliContext}) and own no
 * use case themselves.
 */
public interface TemperedCommand {
    /** Exit code: everything worked. */
    int OK = 0;
    /** Exit code: the batch finished but some files failed. */
    int SOME_FAILED = 1;
    /** Exit code: usage or setup error. */
    int USAGE = 2;

    /** Whether the command needs the OSGi framework started. */
    default boolean needsFramework() {
        return true;
    }

    /**
     * The feature's {@code start-with} groups this command starts besides the bundles every command starts (the HTTP
     * runtime for {@code serve}: no other command opens a port).
     */
    default java.util.Set<String> bundleGroups() {
        return java.util.Set.of();
    }

    /**
     * Framework properties this command adds from its parsed options; bundles read them when they start.
     *
     * @throws UsageException for options that parse but make no sense
     */
    default java.util.Map<String, String> frameworkProperties() throws UsageException {
        return java.util.Map.of();
    }

    /**
     * Runs the command with the options picocli has already set.
     *
     * @return one of {@link #OK}, {@link #SOME_FAILED}, {@link #USAGE}
     * @throws UsageException for arguments that parse but make no sense (printed, exit 2)
     */
    int run(CliContext context) throws Exception;
}
