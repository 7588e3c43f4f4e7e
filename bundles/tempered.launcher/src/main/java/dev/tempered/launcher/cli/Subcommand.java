package dev.tempered.launcher.cli;

import java.util.List;

/**
 * One subcommand of the {@code tempered} command line. Implementations run outside the framework and reach
 * Tempered only through the API services that {@link CliContext} looks up.
 */
public interface Subcommand {
    /** Exit code: everything worked. */
    int OK = 0;
    /** Exit code: the batch finished but some files failed. */
    int SOME_FAILED = 1;
    /** Exit code: usage or setup error. */
    int USAGE = 2;

    /** The word the user types, e.g. {@code analyze}. */
    String name();

    /** One line for {@code tempered --help}. */
    String summary();

    /** The full usage text for {@code tempered NAME --help}: synopsis, options, examples. */
    String usage();

    /** Whether the command needs the OSGi framework started (only {@code --help}-like commands do not). */
    default boolean needsFramework() {
        return true;
    }

    /**
     * Runs the command.
     *
     * @param args the arguments after the subcommand name
     * @return one of {@link #OK}, {@link #SOME_FAILED}, {@link #USAGE}
     * @throws UsageException for bad arguments (printed with the usage, exit 2)
     */
    int run(List<String> args, CliContext context) throws Exception;
}
