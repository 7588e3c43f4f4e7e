package dev.tempered.launcher;

import dev.tempered.launcher.cli.CliContext;
import dev.tempered.launcher.cli.ShellCommand;
import dev.tempered.launcher.cli.TemperedCommand;
import dev.tempered.launcher.cli.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;

/** The {@code tempered} command line: global options, then one subcommand. */
public final class Main {
    /** Set by {@link #main} only: a process of our own may move java.io.tmpdir; a test calling run() may not. */
    private static volatile boolean ownProcess;
    private static volatile Path privateTemp;

    private Main() {
    }

    public static void main(String[] args) {
        ownProcess = true;
        int code;
        try {
            code = run(List.of(args), System.out, System.err);
        } catch (Throwable t) {
            System.err.println("tempered: internal error: " + t);
            t.printStackTrace(System.err);
            code = TemperedCommand.USAGE;
        }
        if (privateTemp != null) {
            PrivateTemp.remove(privateTemp);
        }
        System.out.flush();
        // Non-daemon threads of bundles must not keep a finished command alive.
        System.exit(code);
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        Commands.Root options = new Commands.Root();
        CommandLine root = Commands.root(options);
        CommandLine.ParseResult parsed;
        try {
            parsed = root.parseArgs(argv.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            CommandLine at = e.getCommandLine();
            String name = at == root ? "tempered" : "tempered " + at.getCommandName();
            err.println(name + ": " + e.getMessage());
            err.println("Try '" + name + " --help'.");
            return TemperedCommand.USAGE;
        }
        if (parsed.isUsageHelpRequested()) {
            root.usage(out);
            return TemperedCommand.OK;
        }
        if (parsed.isVersionHelpRequested()) {
            Properties v = versions();
            out.println("tempered " + v.getProperty("version") + " (Felix " + v.getProperty("felix")
                    + ", ONNX Runtime " + v.getProperty("onnxruntime") + ", picocli " + CommandLine.VERSION
                    + ", Java " + System.getProperty("java.version") + ")");
            return TemperedCommand.OK;
        }
        if (!parsed.hasSubcommand()) {
            root.usage(err);
            return TemperedCommand.USAGE;
        }
        CommandLine sub = parsed.subcommand().commandSpec().commandLine();
        String name = sub.getCommandName();
        Object user = sub.getCommand();
        if (parsed.subcommand().isUsageHelpRequested()) {
            sub.usage(out);
            return TemperedCommand.OK;
        }
        if (parsed.subcommand().isVersionHelpRequested()) {
            return run(List.of("--version"), out, err);
        }
        Path home = options.home != null ? options.home.toAbsolutePath() : defaultHome();
        boolean interactive = System.console() != null;
        TemperedCommand command = (TemperedCommand) user;
        Runner runner = command::run;
        boolean needsFramework = command.needsFramework();
        try {
            if (ownProcess && privateTemp == null) {
                // Before the framework: ONNX Runtime and FileInstall make their folders in java.io.tmpdir.
                try {
                    privateTemp = PrivateTemp.use(home);
                } catch (IOException e) {
                    throw new UsageException("cannot make the private temporary folder: " + e.getMessage());
                }
            }
            if (!needsFramework) {
                return runner.run(new NoFrameworkContext(out, err, home, appDir(), interactive));
            }
            boolean shell = user instanceof ShellCommand;
            // Bundles only some commands start (the HTTP runtime: only serve), and the settings they read at start.
            java.util.Set<String> groups = command.bundleGroups();
            java.util.Map<String, String> properties = command.frameworkProperties();
            long t0 = System.nanoTime();
            try (EmbeddedFramework fw = EmbeddedFramework.start(appDir(), home, shell, options.verbose, out, err,
                    interactive, groups, properties)) {
                if (options.verbose) {
                    err.printf("framework started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                }
                int code = runner.run(fw);
                if (shell && code == TemperedCommand.OK) {
                    fw.waitForStop();
                }
                return code;
            }
        } catch (UsageException e) {
            err.println("tempered " + name + ": " + e.getMessage());
            return TemperedCommand.USAGE;
        } catch (dev.tempered.api.TemperedException e) {
            // A condition a service named (a home in use by another run, an unreadable index): its message is
            // the whole story; the stack trace only with --verbose.
            err.println("tempered " + name + ": " + e.getMessage());
            if (options.verbose) {
                e.printStackTrace(err);
            }
            return TemperedCommand.USAGE;
        }
    }

    private interface Runner {
        int run(CliContext context) throws Exception;
    }

    static String help() {
        StringWriter text = new StringWriter();
        Commands.root(new Commands.Root()).usage(new PrintWriter(text));
        return text.toString();
    }

    private static Path defaultHome() {
        return dev.tempered.api.TemperedHome.resolve(null);
    }

    /** The assembled application: {@code -Dtempered.app}, else the folder above the launcher's lib/. */
    static Path appDir() throws URISyntaxException {
        String prop = System.getProperty("tempered.app");
        if (prop != null) {
            return Path.of(prop).toAbsolutePath();
        }
        Path jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return jar.getParent().getParent();
    }

    static Properties versions() throws IOException {
        Properties p = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        }
        return p;
    }

    /** The context of commands that do not start the framework. */
    private record NoFrameworkContext(PrintStream out, PrintStream err, Path home, Path appDir, boolean interactive)
            implements dev.tempered.launcher.cli.CliContext {
        @Override
        public <T> T service(Class<T> type, java.time.Duration wait) throws UsageException {
            throw new UsageException("this command runs without the framework");
        }

        @Override
        public <T> List<T> services(Class<T> type) {
            return List.of();
        }
    }

}
