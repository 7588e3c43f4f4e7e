package dev.tempered.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command tree as picocli parses it; nothing here starts the framework. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) throws Exception {
        return Main.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsEveryCommandWithItsSummary() throws Exception {
        assertEquals(0, run("--help"));
        var names = Commands.root(new Commands.Root()).getSubcommands().keySet();
        assertEquals(Commands.subcommands().size(), names.size());
        for (String name : names) {
            assertTrue(out().contains("  " + name + " "), name + " missing from:\n" + out());
        }
        assertTrue(out().contains("analyse a collection and write calibrated genre tags safely"), out());
        assertTrue(out().contains("--home=DIR"), out());
    }

    @Test
    void aCommandsHelpIsGeneratedFromItsOptions() throws Exception {
        assertEquals(0, run("tag", "--help"));
        assertTrue(out().contains("--genre=POLICY"), out());
        assertTrue(out().contains("--min-confidence=P"), out());
        assertTrue(out().contains("tempered tag --undo PATH..."), out());
        assertTrue(out().contains("tempered tag --apply TABLE"), out());
    }

    @Test
    void theShellsHelpOffersOnlyAWayOutThatWorks() throws Exception {
        assertEquals(0, run("shell", "--help"));
        // exit is Tempered's own orderly stop (ExitCommandTest); Gogo's exit 0 ends the JVM even while a model loads.
        assertTrue(out().contains("Leave with: exit, stop 0 or Ctrl-D."), out());
        assertTrue(!out().contains("exit 0"), out());
    }

    @Test
    void badArgumentsAreUsageErrorsNamingTheOptionBeforeAnythingStarts() throws Exception {
        assertEquals(2, run("models", "--bogus"));
        assertTrue(err().contains("tempered models: Unknown option: '--bogus'"), err());
        assertEquals(2, run("tag", "--genre", "overwrite", "/tmp"));
        assertTrue(err().contains("fill-empty, not 'overwrite'"), err());
        assertEquals(2, run("tag", "--jobs", "many", "/tmp"));
        assertTrue(err().contains("--jobs"), err());
        assertEquals(2, run("analyze"));
        assertTrue(err().contains("FILE"), err());
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("--frobnicate"));
        assertEquals(2, run());
    }

    @Test
    void completionScriptCoversTheSubcommandsAndTheirOptions() throws Exception {
        assertEquals(0, run("completion"));
        assertTrue(out().contains("complete -F"), out().lines().limit(5).toList().toString());
        assertTrue(out().contains("review"), "review");
        assertTrue(out().contains("--min-suggest"), "--min-suggest");
    }
}
