package dev.tempered.launcher.cli;

import picocli.CommandLine.Command;

/**
 * Runs the application with Gogo on the terminal. The launcher starts the framework with the console enabled
 * for this command and waits until the framework stops ({@code exit}, {@code stop 0} or Ctrl-D). {@code exit} is
 * Tempered's own command (the shell bundle's ExitCommand, an orderly stop); Gogo's {@code system:exit 0} is not
 * offered: it ends the JVM at once, even while a model is being loaded in native code (a crash, seen).
 */
@Command(name = "shell", mixinStandardHelpOptions = true,
        description = {"start the application with an interactive Gogo shell", "",
            "Starts the Felix application with an interactive Gogo shell. The folders",
            "  $TEMPERED_HOME/deploy/models   model packages (directories or .zip) to install",
            "  $TEMPERED_HOME/deploy/config   .cfg/.config files for ConfigAdmin (e.g. temperatures)",
            "are watched while it runs: drop a file in and it is applied without restart.",
            "Try: lb (bundles), scr:list (components), help. Leave with: exit, stop 0 or Ctrl-D."})
public final class ShellCommand implements TemperedCommand {
    @Override
    public int run(CliContext context) {
        context.err().println("Tempered shell. Watching " + context.home().resolve("deploy") + " (models/, config/).");
        // The launcher's shell support waits for the framework to stop; see Main.
        return OK;
    }
}
