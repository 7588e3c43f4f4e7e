package dev.tempered.launcher.cli;

import java.util.List;

/**
 * Runs the application with Gogo on the terminal. The launcher starts the framework with the console enabled
 * for this command and waits until the framework stops ({@code stop 0} or Ctrl-D / {@code exit}).
 */
public final class ShellCommand implements Subcommand {
    @Override
    public String name() {
        return "shell";
    }

    @Override
    public String summary() {
        return "start the application with an interactive Gogo shell";
    }

    @Override
    public String usage() {
        return """
                Usage: tempered shell

                Starts the Felix application with an interactive Gogo shell. The folders
                  $TEMPERED_HOME/deploy/models   model packages (directories or .zip) to install
                  $TEMPERED_HOME/deploy/config   .cfg/.config files for ConfigAdmin (e.g. temperatures)
                are watched while it runs: drop a file in and it is applied without restart.
                Try: lb (bundles), scr:list (components), help. Leave with: exit (or stop 0).""";
    }

    @Override
    public int run(List<String> args, CliContext context) throws Exception {
        if (!args.isEmpty()) {
            throw new UsageException("shell takes no arguments");
        }
        context.err().println("Tempered shell. Watching " + context.home().resolve("deploy") + " (models/, config/).");
        // The launcher's shell support waits for the framework to stop; see Main.
        return OK;
    }
}
