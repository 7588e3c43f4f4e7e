package dev.tempered.launcher.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tempered completion}: a bash/zsh completion script generated from the command tree itself. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = "print a bash/zsh completion script for tempered",
        footer = {"%nInstall: tempered completion > /etc/bash_completion.d/tempered",
            "   or, for one shell: source <(tempered completion)"})
public final class CompletionCommand implements TemperedCommand {
    @Spec
    CommandSpec spec;

    @Override
    public boolean needsFramework() {
        return false;
    }

    @Override
    public int run(CliContext context) {
        CommandLine root = spec.root().commandLine();
        context.out().print(AutoComplete.bash(root.getCommandName(), root));
        return OK;
    }
}
