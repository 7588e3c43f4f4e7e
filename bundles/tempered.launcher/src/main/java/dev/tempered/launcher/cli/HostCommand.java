package dev.tempered.launcher.cli;

import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.launcher.host.HostWindow;
import java.awt.GraphicsEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the reference host: a desktop tagging tool whose Tempered menus come only from the {@link PluginAction}
 * services of the running framework. Options let a script drive it through those menus and save a screenshot.
 */
public final class HostCommand implements Subcommand {
    @Override
    public String name() {
        return "host";
    }

    @Override
    public String summary() {
        return "start the reference desktop host application";
    }

    @Override
    public String usage() {
        return """
                Usage: tempered host [OPTIONS] [DIR]

                Opens the reference host: a small tagging tool showing the audio files of DIR (default: the
                current folder), a results table and a reliability-diagram pane. Its Tempered menus are built
                only from the PluginAction services of the running application and follow them live: drop a
                model package into $TEMPERED_HOME/deploy/models and its "Use model" item appears.
                Needs a display (DISPLAY); the tempered script runs Java headless unless TEMPERED_HEADLESS=false,
                and this command switches that off itself when it can.

                Scripting (for screenshots and tests; everything goes through the same menus a user clicks):
                  --select-all           select every listed file
                  --click MENU/.../ITEM  click the menu item whose label starts with ITEM, wait until the
                                         action finished (repeatable, in order)
                  --show-menu MENU/...   leave these menus open (for a screenshot)
                  --screenshot FILE.png  save the window as the screen shows it
                  --exit                 close when done instead of waiting for the user

                Example:
                  TEMPERED_HEADLESS=false xvfb-run -a -s "-screen 0 1280x800x24" ./tempered host \\
                    --select-all --click "Tempered/Analyse" --screenshot host.png --exit ~/Music""";
    }

    @Override
    public int run(List<String> args, CliContext context) throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        boolean selectAll = false;
        boolean exit = false;
        List<List<String>> clicks = new ArrayList<>();
        List<String> showMenu = null;
        Path screenshot = null;
        List<String> rest = new ArrayList<>(args);
        while (!rest.isEmpty()) {
            String a = rest.remove(0);
            switch (a) {
                case "--select-all" -> selectAll = true;
                case "--exit" -> exit = true;
                case "--click" -> clicks.add(path(value(a, rest)));
                case "--show-menu" -> showMenu = path(value(a, rest));
                case "--screenshot" -> screenshot = Path.of(value(a, rest)).toAbsolutePath();
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option " + a);
                    }
                    dir = Path.of(a).toAbsolutePath();
                }
            }
        }
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
        HostWindow window = HostWindow.open(dir, () -> context.services(PluginAction.class));
        int code = OK;
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
        return code;
    }

    private static String value(String option, List<String> rest) throws UsageException {
        if (rest.isEmpty()) {
            throw new UsageException(option + " needs a value");
        }
        return rest.remove(0);
    }

    private static List<String> path(String text) {
        return List.of(text.split("/"));
    }
}
