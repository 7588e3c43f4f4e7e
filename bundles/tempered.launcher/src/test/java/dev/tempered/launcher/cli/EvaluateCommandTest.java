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

        int rc = new EvaluateCommand().run(List.of("--data", descriptors(dir).toString(), "--report",
                report.toString(), "--resamples", "50"), ctx);

        assertEquals(Subcommand.OK, rc, ctx.errors());
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
        assertTrue(Files.readString(report.resolve("metrics.csv")).contains("2.000000,ACCURACY,0.750000"));
    }

    @Test
    void logitsWrittenByOneRunReproduceItWithoutTheModel() throws Exception {
        CalibrationFakes.Model model = new CalibrationFakes.Model(spec());
        CalibrationFakes.Repository repo = new CalibrationFakes.Repository(model);
        CalibrationFakes.Context first = context(dir, repo, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), true);
        Path report = dir.resolve("r1");
        new EvaluateCommand().run(List.of("--data", descriptors(dir).toString(), "--report", report.toString()), first);
        int runs = model.seen.size();

        CalibrationFakes.Context second = context(dir, repo, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), false);
        int rc = new EvaluateCommand().run(List.of("--data", report.resolve("logits.csv").toString(), "--report",
                dir.resolve("r2").toString()), second);

        assertEquals(Subcommand.OK, rc, second.errors());
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
        new EvaluateCommand().run(List.of("--data", descriptors(dir).toString(), "--report",
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
        EvaluateCommand cmd = new EvaluateCommand();
        assertMessage("--data FILE is required", () -> cmd.run(List.of("--report", "x"), ctx));
        assertMessage("no such file", () -> cmd.run(List.of("--data", dir.resolve("nope.csv").toString()), ctx));
        assertMessage("--bins needs an integer >= 1",
                () -> cmd.run(List.of("--data", descriptors(dir).toString(), "--bins", "0"), ctx));

        Path badLabel = dir.resolve("bad-label.csv");
        Files.write(badLabel, List.of("file,label,m0_blues,m0_jazz,m0_rock", "a.au,polka,1,2,3"));
        assertMessage("label 'polka' is not one of", () -> cmd.run(List.of("--data", badLabel.toString()), ctx));

        Path badClasses = dir.resolve("bad-classes.csv");
        Files.write(badClasses, List.of("file,label,m0_blues,m0_rock,m0_jazz", "a.au,rock,1,2,3"));
        assertMessage("differ from toy@1.0.0's labels",
                () -> cmd.run(List.of("--data", badClasses.toString()), ctx));

        Path onlyFitted = dir.resolve("only-fitted.csv");
        Files.write(onlyFitted, List.of("file,label,m0_blues,m0_jazz,m0_rock", "fitted.00001.au,rock,1,2,3"));
        assertMessage("no rows left", () -> cmd.run(List.of("--data", onlyFitted.toString()), ctx));

        CalibrationFakes.Context strict = context(dir, null, new CalibrationFakes.FakeCalibrator(),
                new CalibrationFakes.Charts(), true);
        strict.services.put(ModelRepository.class, List.of(new CalibrationFakes.StrictRepository(repo)));
        assertMessage("model 'other' is not installed (installed: toy@1.0.0)",
                () -> cmd.run(List.of("--model", "other", "--data", descriptors(dir).toString()), strict));
    }

    /** The library's labelled logits of a user's folder, as CollectionTagger.labelled hands them over. */
    static final class LabelledFolder implements dev.tempered.api.library.CollectionTagger {
        final List<String> calls = new ArrayList<>();

        @Override
        public dev.tempered.api.library.TagJobSummary tag(dev.tempered.api.library.TagJobRequest request,
                dev.tempered.api.library.TagJobListener listener) {
            throw new UnsupportedOperationException();
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

        int rc = new EvaluateCommand().run(List.of("--data", music.toString(), "--labels-from", "tags",
                "--labels-map", map.toString(), "--report", dir.resolve("r").toString(), "--resamples", "0"), ctx);

        assertEquals(Subcommand.OK, rc, ctx.errors());
        assertEquals(List.of("[" + music + "] toy TAGS " + map), library.calls);
        String out = ctx.output();
        assertTrue(out.contains("3 analysis windows of 2 files labelled by their genre tags"), out);
        assertTrue(out.contains("--labels-from tags --labels-map " + map), out);
        assertEquals(0, model.seen.size(), "the library's logits are used as they are");
    }

    @Test
    void labelsFromNeedAFolderAndAFolderNeedsLabels() throws Exception {
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(new CalibrationFakes.Model(spec())),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), true);
        EvaluateCommand cmd = new EvaluateCommand();
        assertMessage("is a folder: add --labels-from folders or --labels-from tags",
                () -> cmd.run(List.of("--data", dir.toString()), ctx));
        assertMessage("--labels-from needs --data to be a folder of music",
                () -> cmd.run(List.of("--data", descriptors(dir).toString(), "--labels-from", "tags"), ctx));
        assertMessage("--labels-from must be folders or tags, not 'moods'",
                () -> cmd.run(List.of("--data", dir.toString(), "--labels-from", "moods"), ctx));
        assertMessage("--labels-map goes with --labels-from",
                () -> cmd.run(List.of("--data", descriptors(dir).toString(), "--labels-map", "m.txt"), ctx));
    }

    @Test
    void aModelWithoutDescriptorInputNeedsLogits() throws Exception {
        ModelSpec audio = CalibrationFakes.spec("log-mel", 1.5, List.of(), List.of());
        CalibrationFakes.Context ctx = context(dir, new CalibrationFakes.Repository(new CalibrationFakes.Model(audio)),
                new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(), false);
        assertMessage("takes 'log-mel' input, not a descriptor vector",
                () -> new EvaluateCommand().run(List.of("--data", descriptors(dir).toString()), ctx));
    }

    @Test
    void csvFieldsMayBeQuotedAndHoldLineBreaks() throws Exception {
        Path f = dir.resolve("quoted.csv");
        Files.writeString(f, "\uFEFFfilename,note,x\n\"a,b\",\"say \"\"hi\"\"\",3\n\n\"two\nlines.wav\",,4\nlast,z,5\n");
        Table t = Table.read(f);
        assertArrayEquals(new String[] {"filename", "note", "x"}, t.header());
        assertArrayEquals(new String[] {"a,b", "say \"hi\"", "3"}, t.rows().get(0));
        // The hand-written parser split this row in two: a quoted line break is part of the field.
        assertArrayEquals(new String[] {"two\nlines.wav", "", "4"}, t.rows().get(1));
        assertEquals(List.of(2, 4, 6), t.lines(), "the line each row starts on");
        Files.write(f, new byte[] {'a', ',', 'b', '\n', (byte) 0xe9, ',', '1', '\n'});
        assertMessage("not UTF-8", () -> Table.read(f));
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertMessage(String expected, Call call) {
        UsageException e = assertThrows(UsageException.class, call::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
