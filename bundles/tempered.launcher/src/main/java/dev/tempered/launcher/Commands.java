package dev.tempered.launcher;

import dev.tempered.launcher.cli.CliContext;
import dev.tempered.launcher.cli.Subcommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The subcommands in the order {@code --help} lists them. */
final class Commands {
    /** name, class in dev.tempered.launcher.cli, one-line summary shown while the class does not exist yet. */
    private static final String[][] TABLE = {
        {"demo", "DemoCommand", "tag a demo library of real music with the default model and show the report"},
        {"probe", "ProbeCommand", "show format, codec, rate, channels, duration and decode speed of audio files"},
        {"analyze", "AnalyzeCommand", "print the calibrated genre distribution of audio files"},
        {"tag", "TagCommand", "analyse a collection and write calibrated genre tags safely"},
        {"review", "ReviewCommand", "list the review queue; accept, reject or clear Tempered's suggestions"},
        {"calibrate", "CalibrateCommand", "fit a model's temperature on labelled data and apply it"},
        {"evaluate", "EvaluateCommand", "measure accuracy and calibration (ECE, MAE, NLL) on labelled data"},
        {"study", "StudyCommand", "the calibration study of the 2023 paper on labelled data: figures, tables, HTML report"},
        {"models", "ModelsCommand", "list installed model packages and the active one"},
        {"serve", "ServeCommand", "run the application with a local HTTP API (for beets and other tools)"},
        {"shell", "ShellCommand", "start the application with an interactive Gogo shell"},
        {"host", "HostCommand", "start the reference desktop host application"},
    };

    private Commands() {
    }

    static List<Subcommand> all() {
        List<Subcommand> list = new ArrayList<>();
        for (String[] row : TABLE) {
            list.add(load(row[0], row[1], row[2]));
        }
        return list;
    }

    static Optional<Subcommand> find(String name) {
        return all().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    // Commands are found by class name so that one still being written reports itself as unimplemented
    // instead of breaking the build or vanishing from --help.
    private static Subcommand load(String name, String className, String summary) {
        try {
            Class<?> c = Class.forName("dev.tempered.launcher.cli." + className);
            return (Subcommand) c.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return new NotImplemented(name, summary);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot create the " + name + " command", e);
        }
    }

    private record NotImplemented(String name, String summary) implements Subcommand {
        @Override
        public String summary() {
            return summary + " (not implemented yet)";
        }

        @Override
        public String usage() {
            return "tempered " + name + ": not implemented yet in this version.";
        }

        @Override
        public boolean needsFramework() {
            return false;
        }

        @Override
        public int run(List<String> args, CliContext context) {
            context.err().println("tempered " + name + ": not implemented yet in this version.");
            return USAGE;
        }
    }
}
