package dev.tempered.launcher.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** What a subcommand gets from the launcher: the framework's services, the console and the Tempered home. */
public interface CliContext {
    /**
     * The highest-ranked service of a type from the running framework, waiting up to {@code wait} for it.
     *
     * @throws UsageException if no such service appears in time (a setup error)
     */
    <T> T service(Class<T> type, Duration wait) throws UsageException;

    /** All services of a type now, highest ranking first. */
    <T> List<T> services(Class<T> type);

    /**
     * Follows the services of a type: calls {@code listener} with all of them now (highest ranking first) and again
     * after every registration, modification and removal, until the returned handle is closed. A service that goes
     * away is released. Hosts use this instead of polling.
     */
    default <T> AutoCloseable follow(Class<T> type, Consumer<List<T>> listener) {
        listener.accept(services(type));
        return () -> { };
    }

    /** Standard output, for results. */
    PrintStream out();

    /** Standard error, for progress and errors. */
    PrintStream err();

    /** The Tempered home folder ({@code $TEMPERED_HOME}, default {@code ~/.tempered}): deploy/, cache/, the index. */
    Path home();

    /** The assembled application folder (bundles/, models/, features/). */
    Path appDir();

    /** Whether standard output is a terminal (progress bars) or not (plain periodic lines). */
    boolean interactive();
}
