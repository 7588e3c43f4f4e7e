package dev.tempered.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagPlan;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ActionsTest {
    private final Fakes.Repository repo = new Fakes.Repository();
    private final Fakes.Store store = new Fakes.Store();
    private final Fakes.TemperatureCalibrator calibrator = new Fakes.TemperatureCalibrator(store);
    private final Fakes.Analyzer analyzer = new Fakes.Analyzer(repo, calibrator);
    private final Fakes.Tags tags = new Fakes.Tags();
    private final Path a = Path.of("/music/a.mp3");
    private final Path b = Path.of("/music/b.ogg");
    private final Path c = Path.of("/music/c.flac");

    @BeforeEach
    void setUp() {
        repo.logits.put("alpha", new double[][] {{4, 1, 0}, {3, 1, 0}});
        repo.logits.put("beta", new double[][] {{0, 1, 5}, {0, 2, 4}});
        repo.add(Fakes.spec("alpha", "1.0.0", 1.0));
        repo.add(Fakes.spec("beta", "1.0.0", 2.0));
    }

    @Test
    void analyseReportsEveryColumnAndFailuresPerFile() {
        analyzer.broken.put(b, "corrupt frame");
        AnalyzeAction action = new AnalyzeAction(analyzer);
        Fakes.Monitor monitor = new Fakes.Monitor(Integer.MAX_VALUE);
        ActionResult r = action.run(List.of(a, b, c), monitor);
        assertEquals(2, r.rows().size());
        Map<String, String> row = r.rows().get(0);
        assertEquals("a.mp3", row.get(Rows.FILE));
        assertEquals("blues", row.get(Rows.GENRE));
        assertEquals("alpha@1.0.0", row.get(Rows.MODEL));
        assertEquals("1.000", row.get(Rows.TEMPERATURE));
        double confidence = Double.parseDouble(row.get(Rows.CONFIDENCE));
        assertTrue(confidence > 0.8 && confidence < 1, row.toString());
        assertTrue(row.get(Rows.CANDIDATES).startsWith("blues 0."), row.get(Rows.CANDIDATES));
        assertTrue(r.failures().get(b).contains("corrupt frame"));
        assertFalse(r.cancelled());
        assertEquals(List.of("0/3 a.mp3", "1/3 b.ogg", "2/3 c.flac", "3/3 "), monitor.messages);
    }

    @Test
    void analyseStopsBetweenFilesWhenCancelled() {
        ActionResult r = new AnalyzeAction(analyzer).run(List.of(a, b, c), new Fakes.Monitor(2));
        assertTrue(r.cancelled());
        assertEquals(2, r.rows().size());
        assertTrue(r.summary().startsWith("Stopped"), r.summary());
    }

    @Test
    void fileActionsApplyOnlyToAudioSelections() {
        AnalyzeAction action = new AnalyzeAction(analyzer);
        assertTrue(action.appliesTo(List.of(a, b)));
        assertFalse(action.appliesTo(List.of()));
        assertFalse(action.appliesTo(List.of(a, Path.of("/music/cover.jpg"))));
    }

    @Test
    void swappingTheModelOrItsTemperatureShowsInTheNextAnalysis() throws Exception {
        AnalyzeAction analyse = new AnalyzeAction(analyzer);
        assertEquals("alpha@1.0.0", analyse.run(List.of(a), ProgressMonitor.NONE).rows().get(0).get(Rows.MODEL));
        repo.activate("beta", null);
        Map<String, String> row = analyse.run(List.of(a), ProgressMonitor.NONE).rows().get(0);
        assertEquals("beta@1.0.0", row.get(Rows.MODEL));
        assertEquals("hiphop", row.get(Rows.GENRE));
        assertEquals("2.000", row.get(Rows.TEMPERATURE), "the package default of beta");
        double before = Double.parseDouble(row.get(Rows.CONFIDENCE));

        TemperedCommands commands = new TemperedCommands(List.of(analyse), repo, calibrator, store);
        commands.temperature("set", "4");
        Map<String, String> after = analyse.run(List.of(a), ProgressMonitor.NONE).rows().get(0);
        assertEquals("4.000", after.get(Rows.TEMPERATURE));
        assertTrue(Double.parseDouble(after.get(Rows.CONFIDENCE)) < before, "a higher T softens the distribution");
    }

    @Test
    void tagGoesThroughTheCollectionJobWithItsDefaultPolicy() {
        Fakes.Tagger tagger = new Fakes.Tagger(repo, tags);
        tagger.confidence.put(a, 0.9);
        tagger.confidence.put(b, 0.3);
        TagAction action = new TagAction(tagger, repo, store);
        ActionResult r = action.run(List.of(a, b, c), ProgressMonitor.NONE);
        assertEquals(List.of(a, b, c), tagger.jobs.get(0).roots(), "the selection is the job's roots");
        // NaN: the job resolves the model's configured min.confidence, as it does for tempered tag.
        assertTrue(Double.isNaN(tagger.jobs.get(0).policy().minConfidence()));
        assertEquals(dev.tempered.api.tag.TagPolicy.ExistingGenre.FILL_EMPTY,
                tagger.jobs.get(0).policy().existingGenre(), "existing genres are kept by default");
        assertFalse(tagger.jobs.get(0).dryRun());
        assertEquals(2, r.rows().size());
        assertEquals("write", r.rows().get(0).get("decision"));
        assertEquals("yes", r.rows().get(0).get("written"));
        assertEquals("review", r.rows().get(1).get("decision"));
        assertTrue(r.failures().get(c).contains("cannot decode"), r.failures().toString());
        assertTrue(r.summary().contains("1 written, 1 review"), r.summary());
        assertTrue(r.summary().contains("1 failed"), r.summary());
    }

    @Test
    void tagLabelShowsTheModelsConfiguredThreshold() {
        TagAction action = new TagAction(new Fakes.Tagger(repo, tags), repo, store);
        assertTrue(action.label().contains("0.50"), action.label());
        store.minConfidence.put(new ModelRef("alpha", "1.0.0"), 0.99);
        assertTrue(action.label().contains("0.99"), action.label());
        assertTrue(new TagAction(new Fakes.Tagger(repo, tags), null, null).label().contains("0.50"));
    }

    @Test
    void tagStopsWhenCancelled() {
        Fakes.Tagger tagger = new Fakes.Tagger(repo, tags);
        tagger.confidence.put(a, 0.9);
        tagger.confidence.put(b, 0.9);
        ActionResult r = new TagAction(tagger, repo, store).run(List.of(a, b), new Fakes.Monitor(0));
        assertTrue(r.cancelled());
        assertTrue(r.summary().startsWith("Stopped"), r.summary());
    }

    @Test
    void recalibrationFitsOnTheServicesLabelledWindowsAndStoresTheTemperature() throws Exception {
        tags.genres.put(a, "Blues");
        tags.genres.put(b, "hiphop");
        // c has no genre tag: it is reported, not fitted.
        Fakes.Tagger tagger = new Fakes.Tagger(repo, tags);
        RecalibrateAction action = new RecalibrateAction(repo, calibrator, store, tagger);
        assertTrue(action.enabled());
        ActionResult r = action.run(List.of(a, b, c), ProgressMonitor.NONE);

        assertEquals(List.of(List.of(a, b, c)), tagger.requests, "the selection goes to the collection service");
        LabelledLogits data = calibrator.fitted.get(0);
        assertEquals(6, data.size(), "3 windows of each labelled file");
        assertEquals(List.of(0, 0, 0, 2, 2, 2), java.util.Arrays.stream(data.truth()).boxed().toList());
        assertEquals(1.7, store.temperatures.get(new ModelRef("alpha", "1.0.0")));
        assertTrue(store.fittedOn.get(new ModelRef("alpha", "1.0.0")).startsWith("6 windows of 2 tagged files"));
        assertTrue(r.summary().contains("T 1.000 -> 1.700"), r.summary());
        assertTrue(r.failures().get(c).contains("no genre tag"), r.failures().toString());
        assertEquals(CalibrationMethod.MEMBER_T, CalibrationMethod.valueOf("MEMBER_T"));
    }

    @Test
    void recalibrationRefusesASelectionWithoutUsableTags() {
        tags.genres.put(a, "Polka");
        RecalibrateAction action = new RecalibrateAction(repo, calibrator, store, new Fakes.Tagger(repo, tags));
        TemperedException e = assertThrows(TemperedException.class,
                () -> action.run(List.of(a), ProgressMonitor.NONE));
        assertTrue(e.getMessage().contains("label"), e.getMessage());
        assertTrue(store.temperatures.isEmpty());
    }

    @Test
    void reliabilityDrawsTheTaggedSelectionsWindowsAtTheCurrentTemperature() throws Exception {
        tags.genres.put(a, "blues");
        tags.genres.put(b, "classical");
        List<String> drawn = new java.util.ArrayList<>();
        dev.tempered.api.calibration.CalibrationCharts charts = new dev.tempered.api.calibration.CalibrationCharts() {
            @Override
            public void reliability(double[][] p, int[] truth, int bins, String title, Path file) throws IOException {
                drawn.add(title + " " + p.length + " " + java.util.Arrays.toString(truth));
                Files.writeString(file, "png");
            }

            @Override
            public Map<String, Double> sweep(Map<String, LabelledLogits> data,
                    dev.tempered.api.calibration.Metric metric, int bins, double minT, double maxT, double markedT,
                    String title, Path file) {
                throw new UnsupportedOperationException();
            }
        };
        store.temperatures.put(new ModelRef("alpha", "1.0.0"), 2.0);
        ActionResult r = new ReliabilityAction(new Fakes.Tagger(repo, tags), calibrator, new Fakes.Metrics(), repo,
                charts).run(List.of(a, b, c), ProgressMonitor.NONE);
        assertEquals(List.of("Reliability of alpha@1.0.0 T=2.0000 on 2 tagged files 6 [0, 0, 0, 1, 1, 1]"), drawn);
        assertEquals(2, r.rows().size());
        assertEquals("3", r.rows().get(0).get("correct windows"), r.rows().toString());
        assertEquals("0", r.rows().get(1).get("correct windows"), r.rows().toString());
        assertTrue(r.summary().contains("accuracy 0.500"), r.summary());
        assertTrue(r.failures().containsKey(c));
        Files.deleteIfExists(r.image().orElseThrow());
    }

    @Test
    void aGenreTemperedWroteIsNoLabel() throws Exception {
        Map<String, String> ours = new java.util.HashMap<>(Map.of("GENRE", "rock", "TEMPERED_MODEL", "m@1 T=1.0000",
                "TEMPERED_DISTRIBUTION", "rock=0.8000;pop=0.2000"));
        assertTrue(dev.tempered.api.tag.TagFields.genreWrittenByTempered(ours));
        ours.put("GENRE", "Jazz; rock");
        assertTrue(dev.tempered.api.tag.TagFields.genreWrittenByTempered(ours), "appended to a person's genre");
        ours.put("GENRE", "pop");
        assertFalse(dev.tempered.api.tag.TagFields.genreWrittenByTempered(ours), "not our top label: a person's");
        ours.put("GENRE", "rock");
        ours.put("TEMPERED_STATUS", "review");
        assertFalse(dev.tempered.api.tag.TagFields.genreWrittenByTempered(ours), "below threshold we leave the genre");
        assertFalse(dev.tempered.api.tag.TagFields.genreWrittenByTempered(Map.of("GENRE", "rock")), "no fields of ours");
    }
}
