package dev.tempered.launcher.cli;

import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.launcher.host.HostWindow;
import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Starts the reference host: a desktop tagging tool whose Tempered menus come only from the {@link PluginAction}
 * services of the running framework. Options let a script drive it through those menus and save a screenshot.
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = {"start the reference desktop host application", "",
            "Opens the reference host: a small tagging tool showing the audio files of DIR (default: the current",
            "folder), a results table and a reliability-diagram pane. Its Tempered menus are built only from the",
            "PluginAction services of the running application and follow them live: drop a model package into",
            "$TEMPERED_HOME/deploy/models and its \"Use model\" item appears. Needs a display (DISPLAY); the",
            "tempered script runs Java headless unless TEMPERED_HEADLESS=false, and this command switches that",
            "off itself when it can.", "",
            "The scripting options (for screenshots and tests) go through the same menus a user clicks."},
        footer = {"%nExample:",
            "  TEMPERED_HEADLESS=false xvfb-run -a -s \"-screen 0 1280x800x24\" ./tempered host \\",
            "    --select-all --click \"Tempered/Analyse\" --screenshot host.png --exit ~/Music"})
public final class HostCommand implements TemperedCommand {
    @Option(names = "--select-all", description = "select every listed file")
    boolean selectAll;

    @Option(names = "--click", paramLabel = "MENU/.../ITEM", description = {"click the menu item whose label "
        + "starts with ITEM, wait until the action finished (repeatable, in order)"})
    List<String> clickPaths = new ArrayList<>();

    @Option(names = "--show-menu", paramLabel = "MENU/...", description = "leave these menus open (for a screenshot)")
    String showMenuPath;

    @Option(names = "--screenshot", paramLabel = "FILE.png", description = "save the window as the screen shows it")
    Path screenshotFile;

    @Option(names = "--exit", description = "close when done instead of waiting for the user")
    boolean exit;

    @Parameters(paramLabel = "DIR", arity = "0..1", description = "the folder to show (default: the current one)")
    Path folder;

    @Override
    public int run(CliContext context) throws Exception {
        Path dir = (folder == null ? Path.of("") : folder).toAbsolutePath();
        List<List<String>> clicks = clickPaths.stream().map(HostCommand::path).toList();
        List<String> showMenu = showMenuPath == null ? null : path(showMenuPath);
        Path screenshot = screenshotFile == null ? null : screenshotFile.toAbsolutePath();
        boolean exit = this.exit;
        if (!Files.isDirectory(dir)) {
            throw new UsageException("not a folder: " + dir);
        }
        // The script starts Java headless for the batch commands. AWT reads the property once, on first use, and
        // nothing has used AWT yet unless a bundle drew a chart during start-up.
        if (System.getenv("DISPLAY") != null) {
            System.setProperty("java.awt.headless", "false");
        }
        if (GraphicsEnvironment.isHeadless()) {
            context.err().println("tempered host: no display (DISPLAY=" + System.getenv("DISPLAY") + ", java.awt.headless="
                    + System.getProperty("java.awt.headless") + "). Run it on a desktop or under xvfb-run; if AWT was"
                    + " already started headless, with TEMPERED_HEADLESS=false.");
            return USAGE;
        }
        HostWindow window = HostWindow.open(dir);
        int code = OK;
        // Tracked, not polled: the menus change when services come and go, and a departed action is released.
        AutoCloseable following = context.follow(PluginAction.class, window::actionsChanged);
        try {
            if (selectAll) {
                window.selectAll();
            }
            for (List<String> click : clicks) {
                ActionResult r = window.click(click, 120_000);
                context.err().println(String.join(" > ", click) + ": " + (r == null ? "(no result)" : r.summary()));
                if (r != null && !r.failures().isEmpty()) {
                    r.failures().forEach((f, why) -> context.err().println("  failed: " + why));
                    code = SOME_FAILED;
                }
            }
            if (showMenu != null) {
                window.showMenu(showMenu);
            }
            if (screenshot != null) {
                window.screenshot(screenshot);
                context.err().println("screenshot: " + screenshot);
            }
        } catch (Exception e) {
            context.err().println("tempered host: " + e.getMessage());
            code = USAGE;
            exit = true;
        }
        if (exit) {
            window.close();
        } else {
            window.awaitClosed();
        }
        following.close();
        return code;
    }

    private static List<String> path(String text) {
        return List.of(text.split("/"));
    }
}
