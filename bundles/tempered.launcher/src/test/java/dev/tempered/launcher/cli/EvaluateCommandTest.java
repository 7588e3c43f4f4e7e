package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
    @TempDir
    Path dir;

    /**
     * Twelve clips plus one the package trained on and one it fitted T on; the features point at the class
     * named in column "predicts"; nine of the twelve are right. Columns are shuffled so that only their names
     * say which feature is which.
     */
    static Path descriptors(Path dir) throws IOException {
        List<String> lines = new ArrayList<>(List.of("filename,length,f2,f0,label,f1"));
        String[] truth = {"blues", "jazz", "rock"};
        int row = 0;
        for (int predicts = 0; predicts < 3; predicts++) {
            for (int k = 0; k < 4; k++) {
                String label = k == 3 ? truth[(predicts + 1) % 3] : truth[predicts];
                double[] f = new double[3];
                f[predicts] = 1 + 0.1 * k;
                lines.add(String.format(java.util.Locale.ROOT, "clip.%05d.au,661794,%s,%s,%s,%s", row++, f[2], f[0],
                        label, f[1]));
            }
        }
        lines.add("trained.00001.au,661794,0,5,blues,0");
        lines.add("fitted.00001.au,661794,0,0,rock,5");
        Path f = dir.resolve("features.csv");
        Files.write(f, lines);
        return f;
    }

    static ModelSpec spec() {
        return CalibrationFakes.spec("librosa-descriptors", 1.5, List.of("trained.00001.au"),
                List.of("fitted.00001.au"));
    }

    static CalibrationFakes.Context context(Path home, CalibrationFakes.Repository repo,
            CalibrationFakes.FakeCalibrator calibrator, CalibrationFakes.Charts charts, boolean frontEnd) {
        CalibrationFakes.Context c = new CalibrationFakes.Context(home)
                .with(ModelRepository.class, repo)
                .with(Calibrator.class, calibrator)
                .with(CalibrationMetrics.class, new CalibrationFakes.Metrics())
                .with(CalibrationCharts.class, charts);
        if (frontEnd) {
            c.with(FrontEnd.class, new CalibrationFakes.Front(CalibrationFakes.FEATURES));
        }
        return c;
    }

    @Test
    void descriptorsAreRunThroughTheModelAndFittedRowsSkipped() throws Exception {
        CalibrationFakes.Model model = new CalibrationFakes.Model(spec());
        CalibrationFakes.FakeCalibrator calibrator = new CalibrationFakes.FakeCalibrator();
        calibrator.configured = 2.0;
        CalibrationFakes.Charts charts = new CalibrationFakes.Charts();
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(model), calibrator, charts, true);
        Path report = dir.resolve("report");

        int rc = Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--report",
                report.toString(), "--resamples", "50"), ctx);

        assertEquals(TemperedCommand.OK, rc, ctx.errors());
        String out = ctx.output();
        assertTrue(out.contains("12 of 14 rows used; skipped 1 the package trained on and 1 it fitted"), out);
        // The 12 test rows, and the package's own validation row for the sweeps' second curve.
        assertEquals(13, model.seen.size());
        // Column f0 came fourth in the file, but the front end's names put it first.
        assertArrayEquals(new float[] {1, 0, 0}, model.seen.get(0));
        assertTrue(out.contains("T = 2.0000 (configured)"), out);
        assertTrue(out.matches("(?s).*accuracy\\s+0\\.7500 \\[0\\.7400, 0\\.7600\\]\\s+0\\.7500 .*"), out);
        assertTrue(out.contains("Best temperature on this data"), out);
        for (String f : List.of("metrics.csv", "logits.csv", "reliability-T1.png", "reliability-current.svg",
                "reliability-best.png", "sweep-ece.png", "sweep-nll.svg", "sweep-mae.png")) {
            assertTrue(Files.isRegularFile(report.resolve(f)), f);
        }
        assertTrue(charts.calls.contains("sweep sweep-ece.png ECE marked 2.0 [validation (1 rows), test (12 rows)]"),
                charts.calls.toString());
        assertTrue(Files.readString(report.resolve("metrics.csv")).contains("2.0,ACCURACY,0.75,"));
    }

    @Test
    void logitsWrittenByOneRunReproduceItWithoutTheModel() throws Exception {
        CalibrationFakes.Model model = new CalibrationFakes.Model(spec());
        CalibrationFakes.Repository repo = new CalibrationFakes.Repository(model);
        CalibrationFakes.Context first = context(dir, repo, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), true);
        Path report = dir.resolve("r1");
        Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--report", report.toString()), first);
        int runs = model.seen.size();

        CalibrationFakes.Context second = context(dir, repo, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), false);
        int rc = Cli.run(new EvaluateCommand(), List.of("--data", report.resolve("logits.csv").toString(), "--report",
                dir.resolve("r2").toString()), second);

        assertEquals(TemperedCommand.OK, rc, second.errors());
        assertEquals(runs, model.seen.size(), "the model must not run on logits");
        String a = first.output();
        String b = second.output();
        assertEquals(a.substring(a.indexOf("metric"), a.indexOf("To apply it")),
                b.substring(b.indexOf("metric"), b.indexOf("To apply it")));
    }

    @Test
    void withoutAFrontEndServiceDescriptorColumnsAreTakenInOrder() throws Exception {
        CalibrationFakes.Model model = new CalibrationFakes.Model(spec());
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(model),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), false);
        Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--report",
                dir.resolve("r").toString(), "--resamples", "0"), ctx);
        // f2, f0, f1 in file order: the fallback cannot know better, which is why the front end's names are used.
        assertArrayEquals(new float[] {0, 1, 0}, model.seen.get(0));
    }

    @Test
    void userErrorsSayWhatIsWrong() throws Exception {
        CalibrationFakes.Model model = new CalibrationFakes.Model(spec());
        CalibrationFakes.Repository repo = new CalibrationFakes.Repository(model);
        CalibrationFakes.Context ctx = context(dir, repo, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), true);
                assertMessage("Missing required option: '--data=FILE|DIR'", () -> Cli.run(new EvaluateCommand(), List.of("--report", "x"), ctx));
        assertMessage("no such file", () -> Cli.run(new EvaluateCommand(), List.of("--data", dir.resolve("nope.csv").toString()), ctx));
        assertMessage("--bins needs an integer >= 1",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--bins", "0"), ctx));

        Path badLabel = dir.resolve("bad-label.csv");
        Files.write(badLabel, List.of("file,label,m0_blues,m0_jazz,m0_rock", "a.au,polka,1,2,3"));
        assertMessage("label 'polka' is not one of", () -> Cli.run(new EvaluateCommand(), List.of("--data", badLabel.toString()), ctx));

        Path badClasses = dir.resolve("bad-classes.csv");
        Files.write(badClasses, List.of("file,label,m0_blues,m0_rock,m0_jazz", "a.au,rock,1,2,3"));
        assertMessage("differ from toy@1.0.0's labels",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", badClasses.toString()), ctx));

        Path onlyFitted = dir.resolve("only-fitted.csv");
        Files.write(onlyFitted, List.of("file,label,m0_blues,m0_jazz,m0_rock", "fitted.00001.au,rock,1,2,3"));
        assertMessage("no rows left", () -> Cli.run(new EvaluateCommand(), List.of("--data", onlyFitted.toString()), ctx));

        CalibrationFakes.Context strict = context(dir, null, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), true);
        strict.services.put(ModelRepository.class, List.of(new CalibrationFakes.StrictRepository(repo)));
        assertMessage("model 'other' is not installed (installed: toy@1.0.0)",
                () -> Cli.run(new EvaluateCommand(), List.of("--model", "other", "--data", descriptors(dir).toString()), strict));
    }

    /** The library's labelled logits of a user's folder, as CollectionTagger.labelled hands them over. */
    static final class LabelledFolder implements dev.tempered.api.library.CollectionTagger {
        final List<String> calls = new ArrayList<>();

        @Override
        public dev.tempered.api.library.TagJobSummary tag(dev.tempered.api.library.TagJobRequest request,
                dev.tempered.api.library.TagJobListener listener) {
            calls.add("tag dry-run=" + request.dryRun() + " " + request.labelsFrom());
            // Two files under a folder whose name maps onto no label.
            return new dev.tempered.api.library.TagJobSummary(new dev.tempered.api.ModelRef("toy", "1.0.0"), 1.5, true,
                    false, 5, 5, 0, 0, 0, 0, 0, java.util.Map.of(), java.util.Map.of(), 0, 0, java.util.Map.of(),
                    java.util.Map.of(), java.util.Map.of("Polka", 2),
                    request.roots().get(0), List.of(), List.of());
        }

        @Override
        public dev.tempered.api.library.TagJobSummary apply(Path table, dev.tempered.api.library.TagJobRequest request,
                dev.tempered.api.library.TagJobListener listener) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public List<dev.tempered.api.tag.TagResult> undo(List<Path> roots,
                dev.tempered.api.library.TagJobListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public dev.tempered.api.calibration.LabelledLogits labelled(List<Path> roots, String modelId,
                dev.tempered.api.library.LabelSource source, Path labelMapping,
                dev.tempered.api.library.TagJobListener listener) {
            calls.add(roots + " " + modelId + " " + source + " " + labelMapping);
            // Two members, three classes; file a.mp3 has two windows, b.flac one.
            double[][][] z = {{{3, 0, 0}, {2, 0, 1}}, {{0, 3, 0}, {0, 2, 0}}, {{0, 0, 3}, {1, 0, 2}}};
            return new dev.tempered.api.calibration.LabelledLogits(List.of("blues", "jazz", "rock"), z,
                    new int[] {0, 1, 2}, List.of("a.mp3", "a.mp3", "b.flac"));
        }

        @Override
        public List<dev.tempered.api.library.LibraryEntry> entries(List<Path> roots) {
            return List.of();
        }
    }

    @Test
    void aFolderOfMusicLabelledByTagsIsEvaluatedThroughTheLibrary() throws Exception {
        CalibrationFakes.Model model = new CalibrationFakes.Model(spec());
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(model),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), true);
        LabelledFolder library = new LabelledFolder();
        ctx.with(dev.tempered.api.library.CollectionTagger.class, library);
        Path music = Files.createDirectories(dir.resolve("music"));
        Path map = Files.writeString(dir.resolve("map.txt"), "Romantic = jazz\n");

        int rc = Cli.run(new EvaluateCommand(), List.of("--data", music.toString(), "--labels-from", "tags",
                "--labels-map", map.toString(), "--report", dir.resolve("r").toString(), "--resamples", "0"), ctx);

        assertEquals(TemperedCommand.OK, rc, ctx.errors());
        assertEquals(List.of("tag dry-run=true TAGS", "[" + music + "] toy TAGS " + map), library.calls);
        // Before: the files under unmapped names were left out without a word.
        assertTrue(ctx.output().contains("left out, because their genre tags map onto none of toy@1.0.0's labels "
                + "(a labels map can map them): {Polka=2}"), ctx.output());
        String out = ctx.output();
        assertTrue(out.contains("3 analysis windows of 2 files labelled by their genre tags"), out);
        assertTrue(out.contains("--labels-from tags --labels-map " + map), out);
        assertEquals(0, model.seen.size(), "the library's logits are used as they are");
    }

    @Test
    void labelsFromNeedAFolderAndAFolderNeedsLabels() throws Exception {
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(new CalibrationFakes.Model(spec())),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), true);
                assertMessage("is a folder: add --labels-from folders or --labels-from tags",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", dir.toString()), ctx));
        assertMessage("--labels-from needs --data to be a folder of music",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--labels-from", "tags"), ctx));
        assertMessage("--labels-from must be folders or tags, not 'moods'",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", dir.toString(), "--labels-from", "moods"), ctx));
        assertMessage("--labels-map goes with --labels-from",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--labels-map", "m.txt"), ctx));
    }

    @Test
    void aModelWithoutDescriptorInputNeedsLogits() throws Exception {
        ModelSpec audio = CalibrationFakes.spec("log-mel", 1.5, List.of(), List.of());
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(new CalibrationFakes.Model(audio)),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), false);
        assertMessage("takes 'log-mel' input, not a descriptor vector",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString()), ctx));
    }

    @Test
    void aCellThatIsNotAFiniteNumberIsReportedWithItsLineAndColumn() throws Exception {
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(new CalibrationFakes.Model(spec())),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), false);
        Path nan = dir.resolve("nan.csv");
        // Before the workbench, NaN parsed as a number and the failure was blamed on the model, without a line.
        Files.write(nan, List.of("file,label,m0_blues,m0_jazz,m0_rock", "a.au,rock,1,2,3", "b.au,jazz,1,NaN,3"));
        assertMessage(nan + ": line 3: 'NaN' in column m0_jazz is not a finite number",
                () -> Cli.run(new EvaluateCommand(), List.of("--data", nan.toString()), ctx));
    }

    @Test
    void reportFilesReplaceLinksPlantedInTheReportFolderInsteadOfFollowingThem() throws Exception {
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(new CalibrationFakes.Model(spec())),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), true);
        Path report = Files.createDirectories(dir.resolve("linked-report"));
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Files.createSymbolicLink(report.resolve("metrics.csv"), victim);
        Files.createSymbolicLink(report.resolve("logits.csv"), victim);

        int rc = Cli.run(new EvaluateCommand(), List.of("--data", descriptors(dir).toString(), "--report",
                report.toString(), "--resamples", "0"), ctx);

        assertEquals(TemperedCommand.OK, rc, ctx.errors());
        assertEquals("keep me", Files.readString(victim));
        for (String f : List.of("metrics.csv", "logits.csv")) {
            assertTrue(Files.isRegularFile(report.resolve(f), java.nio.file.LinkOption.NOFOLLOW_LINKS), f);
        }
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertMessage(String expected, Call call) {
        UsageException e = assertThrows(UsageException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
