package dev.tempered.launcher;

import dev.tempered.launcher.cli.Subcommand;
import dev.tempered.launcher.cli.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The {@code tempered} command line: global options, then one subcommand. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(List.of(args), System.out, System.err);
        } catch (Throwable t) {
            System.err.println("tempered: internal error: " + t);
            t.printStackTrace(System.err);
            code = Subcommand.USAGE;
        }
        System.out.flush();
        // Non-daemon threads of bundles must not keep a finished command alive.
        System.exit(code);
    }

    static int run(List<String> argv, PrintStream out, PrintStream err) throws Exception {
        boolean verbose = false;
        Path home = defaultHome();
        List<String> args = new ArrayList<>(argv);
        while (!args.isEmpty() && args.get(0).startsWith("-")) {
            String opt = args.remove(0);
            switch (opt) {
                case "-h", "--help" -> {
                    out.print(help());
                    return Subcommand.OK;
                }
                case "-V", "--version" -> {
                    Properties v = versions();
                    out.println("tempered " + v.getProperty("version") + " (Felix " + v.getProperty("felix")
                            + ", ONNX Runtime " + v.getProperty("onnxruntime") + ", Java "
                            + System.getProperty("java.version") + ")");
                    return Subcommand.OK;
                }
                case "-v", "--verbose" -> verbose = true;
                case "--home" -> {
                    if (args.isEmpty()) {
                        err.println("tempered: --home needs a folder");
                        return Subcommand.USAGE;
                    }
                    home = Path.of(args.remove(0)).toAbsolutePath();
                }
                default -> {
                    err.println("tempered: unknown option " + opt + "\n");
                    err.print(help());
                    return Subcommand.USAGE;
                }
            }
        }
        if (args.isEmpty()) {
            err.print(help());
            return Subcommand.USAGE;
        }
        String name = args.remove(0);
        Subcommand command = Commands.find(name).orElse(null);
        if (command == null) {
            err.println("tempered: unknown command '" + name + "'\n");
            err.print(help());
            return Subcommand.USAGE;
        }
        if (args.contains("--help") || args.contains("-h")) {
            out.println(command.usage());
            return Subcommand.OK;
        }
        boolean interactive = System.console() != null;
        if (!command.needsFramework()) {
            return command.run(args, new NoFrameworkContext(out, err, home, appDir(), interactive));
        }
        boolean shell = name.equals("shell");
        java.util.Map<String, String> properties;
        try {
            properties = command.frameworkProperties(args);
        } catch (UsageException e) {
            err.println("tempered " + name + ": " + e.getMessage());
            return Subcommand.USAGE;
        }
        long t0 = System.nanoTime();
        try (EmbeddedFramework fw = EmbeddedFramework.start(appDir(), home, shell, verbose, out, err, interactive,
                command.bundleGroups(), properties)) {
            if (verbose) {
                err.printf("framework started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            }
            int code = command.run(args, fw);
            if (shell && code == Subcommand.OK) {
                fw.waitForStop();
            }
            return code;
        } catch (UsageException e) {
            err.println("tempered " + name + ": " + e.getMessage());
            return Subcommand.USAGE;
        }
    }

    static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("""
                tempered - calibrated music-genre tagging

                Usage: tempered [--verbose] [--home DIR] COMMAND [ARGS...]
                       tempered COMMAND --help
                       tempered --help | --version

                Commands:
                """);
        for (Subcommand c : Commands.all()) {
            sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        sb.append("""

                Options:
                  --verbose    log what the bundles do (to stderr)
                  --home DIR   where models, configuration, caches and the library index live
                               (default $TEMPERED_HOME, else ~/.tempered)

                Exit codes: 0 success, 1 some files failed (the batch finished), 2 usage or setup error.
                """);
        return sb.toString();
    }

    private static Path defaultHome() {
        String env = System.getenv("TEMPERED_HOME");
        return env != null && !env.isBlank() ? Path.of(env).toAbsolutePath()
                : Path.of(System.getProperty("user.home"), ".tempered");
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
