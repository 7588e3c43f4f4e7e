package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer.Outcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackAnalyzerComponentTest {
    @TempDir
    Path dir;

    private final Fakes.Loader loader = new Fakes.Loader();
    private final Fakes.Model model = new Fakes.Model(Fakes.SPEC);
    private final Fakes.Repository repo = new Fakes.Repository(model);
    private final Fakes.Calib calib = new Fakes.Calib();

    private TrackAnalyzerComponent analyzer() {
        TrackAnalyzerComponent a = new TrackAnalyzerComponent(repo, loader, calib);
        a.addFrontEnd(new Fakes.Front());
        return a;
    }

    @Test
    void aLongTrackIsDecodedInTheModelsWindowsAtItsRate() throws Exception {
        Path f = Fakes.track(dir, "long.fake", 200, 1);
        TrackAnalysis a = analyzer().analyze(f, null);
        assertEquals(1, loader.requests.size());
        assertEquals(8000, loader.requests.get(0).sampleRate());
        assertTrue(loader.requests.get(0).mono());
        assertEquals(3, loader.requests.get(0).windows().size());
        assertEquals(3, a.windows().size());
        assertEquals("classical", a.prediction().topLabel());
        assertEquals(1.5, a.prediction().temperature(), 0);
        assertTrue(a.prediction().mutualInformation() > 0, "members disagree a little");
    }

    @Test
    void theConfiguredTemperatureIsUsed() throws Exception {
        calib.override = 4.0;
        Path f = Fakes.track(dir, "a.fake", 20, 2);
        TrackAnalysis hot = analyzer().analyze(f, null);
        calib.override = 0.5;
        TrackAnalysis cold = analyzer().analyze(f, null);
        assertEquals(4.0, hot.prediction().temperature(), 0);
        assertTrue(cold.prediction().confidence() > hot.prediction().confidence());
    }

    @Test
    void oneCallUsesOneTemperatureForEveryWindowEvenWhileTheConfigurationChanges() throws Exception {
        calib.drifting = true;
        Path a = Fakes.track(dir, "a.fake", 200, 0);
        Path b = Fakes.track(dir, "b.fake", 200, 1);
        List<Outcome> out = analyzer().analyzeAll(List.of(a, b), null);
        double t = out.get(0).analysis().prediction().temperature();
        for (Outcome o : out) {
            assertEquals(t, o.analysis().prediction().temperature(), 0, o.file().toString());
            for (var w : o.analysis().windows()) {
                assertEquals(t, w.temperature(), 0, "window of " + o.file());
            }
        }
    }

    @Test
    void analyzeAllPutsTheWindowsOfSeveralFilesIntoOneRun() throws Exception {
        Path a = Fakes.track(dir, "a.fake", 200, 0);
        Path b = Fakes.track(dir, "b.fake", 20, 1);
        Path c = Fakes.track(dir, "c.fake", 45, 2);
        List<Outcome> out = analyzer().analyzeAll(List.of(a, b, c), null);
        assertEquals(1, model.runs.get());
        assertEquals(3 + 1 + 2, model.rowsSeen.get());
        assertEquals(List.of("blues", "classical", "rock"),
                out.stream().map(o -> o.analysis().prediction().topLabel()).toList());
        assertEquals(1, repo.leases.get());
    }

    @Test
    void aBadFileFailsAloneNamingItself() throws Exception {
        Path good = Fakes.track(dir, "good.fake", 20, 1);
        Path bad = dir.resolve("bad.mp3");
        Files.writeString(bad, "not audio");
        List<Outcome> out = analyzer().analyzeAll(List.of(bad, good), null);
        assertNotNull(out.get(0).failure());
        assertNull(out.get(0).analysis());
        assertTrue(out.get(0).failure().getMessage().contains("bad.mp3"), out.get(0).failure().getMessage());
        assertEquals(bad, out.get(0).failure().file().orElseThrow());
        assertNotNull(out.get(1).analysis());
    }

    @Test
    void anOutOfMemoryErrorOnOneFileFailsItAloneAndTheBatchGoesOn() throws Exception {
        Path before = Fakes.track(dir, "before.fake", 20, 1);
        Path crafted = dir.resolve("crafted.ogg");
        Files.writeString(crafted, "FAKEAUDIO 10,1,oom");
        Path after = Fakes.track(dir, "after.fake", 20, 2);
        List<Outcome> out = analyzer().analyzeAll(List.of(before, crafted, after), null);
        assertNotNull(out.get(0).analysis());
        assertNotNull(out.get(1).failure());
        assertEquals(crafted, out.get(1).failure().file().orElseThrow());
        assertTrue(out.get(1).failure().getMessage().contains("out of memory"), out.get(1).failure().getMessage());
        assertNotNull(out.get(2).analysis());
    }

    @Test
    void anUnknownModelFailsEveryFileWithAClearMessage() throws Exception {
        Path f = Fakes.track(dir, "a.fake", 20, 1);
        TemperedException e = assertThrows(TemperedException.class, () -> analyzer().analyze(f, "nope"));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("a.fake"), e.getMessage());
    }

    @Test
    void aMissingFrontEndIsNamed() throws Exception {
        Path f = Fakes.track(dir, "a.fake", 20, 1);
        TrackAnalyzerComponent a = new TrackAnalyzerComponent(repo, loader, calib);
        TemperedException e = assertThrows(TemperedException.class, () -> a.analyze(f, null));
        assertTrue(e.getMessage().contains("'fake'"), e.getMessage());
    }

    @Test
    void anInferenceFailureIsReportedPerFile() throws Exception {
        Path f = Fakes.track(dir, "neg.fake", 20, -1);
        TemperedException e = assertThrows(TemperedException.class, () -> analyzer().analyze(f, null));
        assertTrue(e.getMessage().contains("neg.fake") && e.getMessage().contains("inference"), e.getMessage());
    }
}
