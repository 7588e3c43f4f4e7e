package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelLease;
import dev.tempered.calibration.internal.TemperatureCalibrator;
import dev.tempered.decode.internal.DefaultAudioLoader;
import dev.tempered.features.internal.WaveformFrontEnd;
import dev.tempered.inference.internal.DefaultModelRepository;
import dev.tempered.inference.internal.RunnerOptions;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import dev.tempered.nativeaudio.internal.SoxrResampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped convnet packages through the real pipeline, built without OSGi: native decoders, the waveform
 * front end, ONNX Runtime and the calibrator. The fidelity check compares our embedding of the GTZAN clip
 * blues.00099 with the features its authors computed from the original audio.
 */
class ConvnetPipelineTest {
    private static final ModelRef ENSEMBLE = new ModelRef("choi-gtzan", "1.0.0");
    private static final ModelRef MCD = new ModelRef("choi-gtzan-mcd", "1.0.0");

    private static DefaultModelRepository repository;
    private static TrackAnalyzerComponent analyzer;

    @BeforeAll
    static void setUp() throws Exception {
        repository = new DefaultModelRepository(RunnerOptions.defaults(), r -> { });
        repository.install(RepoFiles.path("models", "choi-gtzan"));
        repository.install(RepoFiles.path("models", "choi-gtzan-mcd"));
        repository.activate(ENSEMBLE.id(), null);
        DefaultAudioLoader loader = new DefaultAudioLoader(new SoxrResampler());
        loader.add(new FfmpegDecoder(Set.of("mp4", "aac", "ogg")), 200, 1);
        loader.add(new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg")), 100, 2);
        analyzer = new TrackAnalyzerComponent(repository, loader, new TemperatureCalibrator());
        analyzer.addFrontEnd(new WaveformFrontEnd());
    }

    @AfterAll
    static void tearDown() {
        repository.close();
    }

    /** Rows of the authors' feature CSV: name, 160 values. */
    record Row(String name, double[] values) {
    }

    static List<Row> referenceRows() throws IOException {
        List<String> lines = Files.readAllLines(RepoFiles.path("fixtures", "gtzan", "convnet_embeddings.csv"));
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            double[] v = new double[cells.length - 2];
            for (int i = 0; i < v.length; i++) {
                v[i] = Double.parseDouble(cells[i + 1]);
            }
            rows.add(new Row(cells[0], v));
        }
        return rows;
    }

    @Test
    void theEmbeddingOfTheFixtureClipMatchesTheAuthorsFeatures() throws Exception {
        TrackAnalysis a = analyzer.analyze(RepoFiles.path("fixtures", "gtzan", "blues.00099.mp3"), null);
        assertEquals(ENSEMBLE, a.prediction().model());
        assertEquals(160, a.vectors().names().size());
        assertEquals("layer1_00", a.vectors().names().get(0));
        // The authors fed the first 29 s: our first window starts at 0 and is as long.
        float[] ours = a.vectors().rows()[0];
        List<Row> rows = referenceRows();
        assertEquals(800, rows.size());
        Row ref = rows.stream().filter(r -> r.name().equals("blues.00099.au")).findFirst().orElseThrow();
        double corr = correlation(ours, ref.values());
        Row nearest = rows.get(0);
        double best = Double.MAX_VALUE;
        for (Row r : rows) {
            double d = 0;
            for (int i = 0; i < ours.length; i++) {
                d += (ours[i] - r.values()[i]) * (ours[i] - r.values()[i]);
            }
            if (d < best) {
                best = d;
                nearest = r;
            }
        }
        assertTrue(corr > 0.99, "correlation with the CSV row: " + corr);
        assertEquals("blues.00099.au", nearest.name(), "nearest of the 800 rows");
    }

    @Test
    void theFiveHeadsDifferButShareOneEmbedding() throws Exception {
        float[][] input = clipRows();
        try (ModelLease lease = repository.lease(ENSEMBLE.id(), null)) {
            EnsembleOutput out = lease.model().run(input);
            assertEquals(5, out.members());
            assertEquals(160, out.embeddingSize());
            double[][] members = out.row(0);
            for (int a = 0; a < members.length; a++) {
                for (int b = a + 1; b < members.length; b++) {
                    assertTrue(maxAbsDiff(members[a], members[b]) > 1e-3, "members " + a + " and " + b + " agree");
                }
            }
        }
    }

    @Test
    void theHeadsGraphGivesTheFullGraphsLogitsFromItsEmbedding() throws Exception {
        try (ModelLease lease = repository.lease(ENSEMBLE.id(), null)) {
            EnsembleOutput full = lease.model().run(clipRows());
            EnsembleOutput heads = lease.model().runEmbeddings(new float[][] {full.embedding(0)});
            double[][] a = full.row(0);
            double[][] b = heads.row(0);
            for (int m = 0; m < a.length; m++) {
                assertTrue(maxAbsDiff(a[m], b[m]) < 1e-4, "member " + m);
            }
        }
    }

    @Test
    void onTheAuthorsTestRowsTheHeadsScoreWhatTheTrainingScriptRecorded() throws Exception {
        try (ModelLease lease = repository.lease(ENSEMBLE.id(), null)) {
            var spec = lease.model().spec();
            @SuppressWarnings("unchecked")
            List<String> testFiles = (List<String>) spec.provenance().get("testFiles");
            List<Row> rows = referenceRows().stream().filter(r -> testFiles.contains(r.name())).toList();
            assertEquals(160, rows.size());
            float[][] x = new float[rows.size()][];
            for (int i = 0; i < x.length; i++) {
                x[i] = new float[160];
                for (int k = 0; k < 160; k++) {
                    x[i][k] = (float) rows.get(i).values()[k];
                }
            }
            EnsembleOutput out = lease.model().runEmbeddings(x);
            int correct = 0;
            for (int i = 0; i < x.length; i++) {
                double[] mean = new double[10];
                for (double[] member : out.row(i)) {
                    double[] p = softmax(member);
                    for (int c = 0; c < 10; c++) {
                        mean[c] += p[c] / out.members();
                    }
                }
                int top = 0;
                for (int c = 1; c < 10; c++) {
                    top = mean[c] > mean[top] ? c : top;
                }
                correct += spec.labels().get(top).equals(rows.get(i).name().split("\\.")[0]) ? 1 : 0;
            }
            @SuppressWarnings("unchecked")
            var metrics = (java.util.Map<String, Object>) ((java.util.Map<String, Object>) ((java.util.Map<String, Object>)
                    spec.provenance().get("metrics")).get("test")).get("T1");
            assertEquals(((Number) metrics.get("accuracy")).doubleValue(), correct / (double) x.length, 1e-9);
        }
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void mcDropoutPassesDifferAndTheEmbeddingDoesNot() throws Exception {
        float[][] input = clipRows();
        try (ModelLease lease = repository.lease(MCD.id(), null)) {
            assertEquals(MCD, lease.model().spec().ref());
            EnsembleOutput first = lease.model().run(input);
            EnsembleOutput second = lease.model().run(input);
            assertEquals(30, first.members());
            double[][] passes = first.row(0);
            assertTrue(maxAbsDiff(passes[0], passes[1]) > 1e-4, "two passes of one run are equal");
            assertTrue(maxAbsDiff(first.row(0)[0], second.row(0)[0]) > 1e-4, "two runs drew the same masks");
            assertArrayEquals(first.embedding(0), second.embedding(0), 1e-5f);
        }
    }

    @Test
    void theActiveModelSwapsToTheMcDropoutPackageAndBack() throws Exception {
        Path clip = RepoFiles.path("fixtures", "gtzan", "blues.00099.mp3");
        repository.activate(MCD.id(), null);
        try {
            TrackAnalysis a = analyzer.analyze(clip, null);
            assertEquals(MCD, a.prediction().model());
            assertTrue(a.prediction().mutualInformation() > 0, "passes disagree");
        } finally {
            repository.activate(ENSEMBLE.id(), null);
        }
        assertEquals(ENSEMBLE, analyzer.analyze(clip, null).prediction().model());
    }

    /** The fixture clip's first window as the front end makes it. */
    private static float[][] clipRows() throws Exception {
        DefaultAudioLoader loader = new DefaultAudioLoader(new SoxrResampler());
        loader.add(new SndfileDecoder(Set.of("mp3")), 100, 1);
        var audio = loader.load(RepoFiles.path("fixtures", "gtzan", "blues.00099.mp3"),
                dev.tempered.api.audio.DecodeRequest.wholeMono(12_000));
        return new WaveformFrontEnd().compute(audio);
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double correlation(float[] a, double[] b) {
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < a.length; i++) {
            ma += a[i] / (double) a.length;
            mb += b[i] / b.length;
        }
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }
}
