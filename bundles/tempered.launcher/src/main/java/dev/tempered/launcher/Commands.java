package dev.tempered.launcher;

import dev.tempered.launcher.cli.AnalyzeCommand;
import dev.tempered.launcher.cli.CalibrateCommand;
import dev.tempered.launcher.cli.Cli;
import dev.tempered.launcher.cli.CompletionCommand;
import dev.tempered.launcher.cli.DemoCommand;
import dev.tempered.launcher.cli.EvaluateCommand;
import dev.tempered.launcher.cli.HostCommand;
import dev.tempered.launcher.cli.ModelsCommand;
import dev.tempered.launcher.cli.ProbeCommand;
import dev.tempered.launcher.cli.ReviewCommand;
import dev.tempered.launcher.cli.ServeCommand;
import dev.tempered.launcher.cli.ShellCommand;
import dev.tempered.launcher.cli.StudyCommand;
import dev.tempered.launcher.cli.TagCommand;
import dev.tempered.launcher.cli.TrainCommand;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command tree: global options and the subcommands in the order {@code --help} lists them. */
final class Commands {
    private Commands() {
    }

    /** Fresh command objects: picocli writes the parsed options into them, so each parse needs its own. */
    static List<Object> subcommands() {
        return List.of(new DemoCommand(), new ProbeCommand(), new AnalyzeCommand(), new TagCommand(),
                new ReviewCommand(), new CalibrateCommand(), new EvaluateCommand(), new StudyCommand(),
                new TrainCommand(), new ModelsCommand(), new ServeCommand(), new ShellCommand(), new HostCommand(),
                new CompletionCommand());
    }

    /** The global options, before the subcommand. */
    @Command(name = "tempered", description = "calibrated music-genre tagging",
            synopsisSubcommandLabel = "COMMAND", commandListHeading = "%nCommands:%n",
            footerHeading = "%n", footer = {"Run 'tempered COMMAND --help' for a command's options.",
                "Exit codes: 0 success, 1 some files failed (the batch finished), 2 usage or setup error."})
    static final class Root {
        @Option(names = {"-v", "--verbose"}, description = "log what the bundles do (to stderr)")
        boolean verbose;

        @Option(names = "--home", paramLabel = "DIR", description = {
            "where models, configuration, caches and the library index live",
            "(default $TEMPERED_HOME, else ~/.tempered)"})
        Path home;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
        boolean help;

        @Option(names = {"-V", "--version"}, versionHelp = true, description = "print the versions and exit")
        boolean version;
    }

    static CommandLine root(Root root) {
        CommandLine cl = Cli.commandLine(root);
        for (Object c : subcommands()) {
            cl.addSubcommand(Cli.commandLine(c));
        }
        return cl;
    }
}
