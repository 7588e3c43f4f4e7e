package dev.tempered.launcher.cli;

import java.util.List;
import picocli.CommandLine;

/** Parsing a subcommand's arguments with picocli, the same way for the launcher and for tests. */
public final class Cli {
    private Cli() {
    }

    /** A picocli command line over a command object, with the settings every subcommand shares. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        // "tempered tag -- -odd-name.mp3" and options anywhere between the files, as before picocli.
        cl.setEndOfOptionsDelimiter("--");
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setUsageHelpWidth(110);
        return cl;
    }

    /**
     * Sets the command's options from {@code args}.
     *
     * @throws UsageException naming the option at fault
     */
    public static void parse(Object command, List<String> args) throws UsageException {
        try {
            commandLine(command).parseArgs(args.toArray(String[]::new));
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Parses {@code args} into the command and runs it: what the launcher does after starting the framework. */
    public static int run(TemperedCommand command, List<String> args, CliContext context) throws Exception {
        parse(command, args);
        return command.run(context);
    }
}
