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
    void tagUsesTheModelsConfiguredThreshold() {
        TagAction action = new TagAction(analyzer, tags, repo, store);
        assertTrue(action.label().contains("0.50"), action.label());
        store.minConfidence.put(new ModelRef("alpha", "1.0.0"), 0.99);
        assertTrue(action.label().contains("0.99"), action.label());
        ActionResult r = action.run(List.of(a, b), ProgressMonitor.NONE);
        assertEquals(0.99, tags.policies.get(0).minConfidence());
        assertEquals(2, tags.applied.size());
        assertEquals(TagPlan.Decision.REVIEW, tags.applied.get(0).decision());
        assertEquals("review", r.rows().get(0).get("decision"));
        assertTrue(r.summary().contains("0 genre written, 2 review"), r.summary());

        store.minConfidence.clear();
        action.run(List.of(a), ProgressMonitor.NONE);
        assertEquals(TagPlan.Decision.WRITE, tags.applied.get(2).decision());
    }

    @Test
    void tagWithoutConfigurationUsesThePolicyDefault() {
        TagAction action = new TagAction(analyzer, tags, null, null);
        action.run(List.of(a), ProgressMonitor.NONE);
        assertEquals(0.5, tags.policies.get(0).minConfidence());
    }

    @Test
    void recalibrationFitsOnTaggedWindowsAndStoresTheTemperature() throws Exception {
        tags.genres.put(a, "Blues");
        tags.genres.put(b, "Hip-Hop");
        // c has no genre tag: it is reported, not fitted.
        Fakes.Loader loader = new Fakes.Loader(35);
        RecalibrateAction action = new RecalibrateAction(repo, calibrator, store, tags, loader,
                List.of(new Fakes.Features()));
        assertTrue(action.enabled());
        ActionResult r = action.run(List.of(a, b, c), ProgressMonitor.NONE);

        LabelledLogits data = calibrator.fitted.get(0);
        assertEquals(6, data.size(), "3 windows of 10 s in each 35 s file");
        assertEquals(List.of(0, 0, 0, 2, 2, 2), java.util.Arrays.stream(data.truth()).boxed().toList());
        assertEquals(2, data.logits()[0].length, "members");
        assertEquals(Fakes.LABELS, data.labels());
        assertEquals(1.7, store.temperatures.get(new ModelRef("alpha", "1.0.0")));
        assertTrue(store.fittedOn.get(new ModelRef("alpha", "1.0.0")).startsWith("6 windows of 2 tagged files"));
        assertTrue(r.summary().contains("T 1.000 -> 1.700"), r.summary());
        assertTrue(r.failures().get(c).contains("no genre tag"), r.failures().toString());
        assertEquals(22050, loader.requests.get(0).sampleRate());
        assertEquals(CalibrationMethod.MEMBER_T, CalibrationMethod.valueOf("MEMBER_T"));
    }

    @Test
    void recalibrationRefusesASelectionWithoutUsableTags() {
        tags.genres.put(a, "Polka");
        RecalibrateAction action = new RecalibrateAction(repo, calibrator, store, tags, new Fakes.Loader(20),
                List.of(new Fakes.Features()));
        TemperedException e = assertThrows(TemperedException.class,
                () -> action.run(List.of(a), ProgressMonitor.NONE));
        assertTrue(e.getMessage().contains("none of the 1"), e.getMessage());
        assertTrue(store.temperatures.isEmpty());
    }

    @Test
    void reliabilityDrawsADiagramOfTheTaggedSelection() throws Exception {
        tags.genres.put(a, "blues");
        tags.genres.put(b, "classical");
        ReliabilityAction action = new ReliabilityAction(analyzer, tags, new Fakes.Metrics(), repo, null);
        ActionResult r = action.run(List.of(a, b, c), ProgressMonitor.NONE);
        assertEquals(2, r.rows().size());
        assertEquals("yes", r.rows().get(0).get("correct"));
        assertEquals("no", r.rows().get(1).get("correct"));
        assertTrue(r.summary().contains("accuracy 0.500"), r.summary());
        assertTrue(r.failures().containsKey(c));
        Path png = r.image().orElseThrow();
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(ReliabilityChart.WIDTH, img.getWidth());
        assertEquals(ReliabilityChart.HEIGHT, img.getHeight());
        Files.deleteIfExists(png);
    }

    @Test
    void reliabilityUsesTheCalibrationChartsWhenInstalled() throws Exception {
        tags.genres.put(a, "blues");
        List<String> drawn = new java.util.ArrayList<>();
        dev.tempered.api.calibration.CalibrationCharts charts = new dev.tempered.api.calibration.CalibrationCharts() {
            @Override
            public void reliability(double[][] p, int[] truth, int bins, String title, Path file) {
                drawn.add(title + " " + p.length + " " + truth[0] + " " + file.getFileName().toString().endsWith(".png"));
            }

            @Override
            public Map<String, Double> sweep(Map<String, LabelledLogits> data,
                    dev.tempered.api.calibration.Metric metric, int bins, double minT, double maxT, double markedT,
                    String title, Path file) {
                throw new UnsupportedOperationException();
            }
        };
        ActionResult r = new ReliabilityAction(analyzer, tags, new Fakes.Metrics(), repo, charts)
                .run(List.of(a), ProgressMonitor.NONE);
        assertEquals(List.of("Reliability of alpha@1.0.0 T=1.0000 on 1 tagged files 1 0 true"), drawn);
        Files.deleteIfExists(r.image().orElseThrow());
    }

    @Test
    void windowsSpreadEvenlyAndNeverPastTheEnd() {
        var w = new dev.tempered.api.model.ModelSpec.Windowing(30, 3, "mean-probability");
        assertEquals(List.of(), LogitsCollector.windows(12, w), "a short track is read whole");
        assertEquals(List.of(0.0, 30.0), LogitsCollector.windows(60, w).stream().map(t -> t.startSeconds()).toList());
        assertEquals(List.of(0.0, 15.25, 30.5),
                LogitsCollector.windows(60.5, w).stream().map(t -> t.startSeconds()).toList());
        assertEquals(List.of(0.0, 135.0, 270.0),
                LogitsCollector.windows(300, w).stream().map(t -> t.startSeconds()).toList());
    }

    @Test
    void genreTagsMatchLabelsLoosely() throws Exception {
        tags.genres.put(a, "Rock; Hip Hop");
        assertEquals(2, GenreTags.truth(tags, a, Fakes.LABELS));
        tags.genres.put(a, "Romantic Classical");
        assertEquals(1, GenreTags.truth(tags, a, Fakes.LABELS));
        tags.genres.put(a, "Classical Blues");
        assertThrows(dev.tempered.api.tag.TagException.class, () -> GenreTags.truth(tags, a, Fakes.LABELS),
                "two labels named: ambiguous");
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
