package dev.tempered.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemperedCommandsTest {
    private final Fakes.Repository repo = new Fakes.Repository();
    private final Fakes.Store store = new Fakes.Store();
    private final Fakes.TemperatureCalibrator calibrator = new Fakes.TemperatureCalibrator(store);

    private TemperedCommands commands() {
        repo.logits.put("alpha", new double[][] {{4, 1, 0}});
        repo.logits.put("beta", new double[][] {{0, 1, 5}});
        repo.add(Fakes.spec("alpha", "1.0.0", 1.0));
        repo.add(Fakes.spec("beta", "1.2.0", 1.5));
        return new TemperedCommands(List.of(new AnalyzeAction(new Fakes.Analyzer(repo, calibrator))), repo,
                calibrator, store);
    }

    @Test
    void modelsMarksTheActiveOneAndShowsTemperatures() throws Exception {
        TemperedCommands c = commands();
        String text = c.models();
        assertTrue(text.contains("* alpha@1.0.0"), text);
        assertTrue(text.contains("  beta@1.2.0"), text);
        assertTrue(text.contains("T=1.5000"), text);
        assertTrue(c.use("beta").contains("beta@1.2.0"));
        assertTrue(c.models().contains("* beta@1.2.0"), c.models());
    }

    @Test
    void temperatureSetAndResetNameTheModel() throws Exception {
        TemperedCommands c = commands();
        assertEquals("beta@1.2.0: T=0.5000", c.temperature("set", "0.5", "beta"));
        assertEquals(0.5, store.temperatures.get(new ModelRef("beta", "1.2.0")));
        assertTrue(c.temperature("reset", "beta@1.2.0").startsWith("beta@1.2.0: T=1.5000"));
        assertThrows(IllegalArgumentException.class, () -> c.temperature("set", "hot"));
        assertThrows(IllegalArgumentException.class, () -> c.temperature("bake"));
    }

    @Test
    void analyseExpandsFoldersAndPrintsATable(@TempDir Path dir) throws Exception {
        Files.createFile(dir.resolve("one.mp3"));
        Files.createFile(dir.resolve("two.flac"));
        Files.createFile(dir.resolve("notes.txt"));
        String text = commands().analyse(dir.toString());
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).startsWith("file"), text);
        assertTrue(lines.get(1).startsWith("one.mp3") && lines.get(1).contains("blues"), text);
        assertTrue(lines.get(2).startsWith("two.flac"), text);
        assertTrue(lines.get(3).startsWith("Analysed 2 of 2 files with alpha@1.0.0 T=1.0000"), text);
    }

    @Test
    void aMissingActionIsReportedNotGuessed() {
        TemperedCommands c = new TemperedCommands(List.of(), repo, calibrator, store);
        var e = assertThrows(dev.tempered.api.TemperedException.class, () -> c.tag("/x.mp3"));
        assertTrue(e.getMessage().contains("tempered.tag"), e.getMessage());
    }
}
