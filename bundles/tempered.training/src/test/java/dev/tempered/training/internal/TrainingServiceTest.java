package dev.tempered.training.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.training.TrainingListener;
import dev.tempered.api.training.TrainingRequest;
import dev.tempered.api.training.TrainingResult;
import dev.tempered.calibration.internal.Charts;
import dev.tempered.calibration.internal.Metrics;
import dev.tempered.calibration.internal.TemperatureCalibrator;
import dev.tempered.decode.internal.DefaultAudioLoader;
import dev.tempered.features.internal.WaveformFrontEnd;
import dev.tempered.inference.internal.DefaultModelRepository;
import dev.tempered.inference.internal.RunnerOptions;
import dev.tempered.library.internal.TrackAnalyzerComponent;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import dev.tempered.nativeaudio.internal.SoxrResampler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tempered train} end to end on a folder-labelled corpus cut from Debian's music packages: three labels of
 * the user's own naming (wesnoth's orchestral scores, singularity's and warzone2100's electronic soundtracks), each
 * in three album folders of two 12 s clips, through the real pipeline (native decoders, the choi-gtzan convnet in
 * ONNX Runtime, the calibrator and metrics), built without OSGi.
 */
class TrainingServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Path> SOURCES = Map.of(
            "Orchestral", Path.of("/usr/share/games/wesnoth/1.16/data/core/music"),
            "Synthwave", Path.of("/usr/share/games/singularity/music"),
            "Soundtrack", Path.of("/usr/share/games/warzone2100/music"));

    @TempDir
    static Path tmp;
    static Path corpus;
    static Path home;
    static DefaultModelRepository repository;
    static TrackAnalyzerComponent real;
    /** The files each analyseAll call was given: the only way to decode. */
    static final List<Path> analysed = new CopyOnWriteArrayList<>();
    static TrainingService service;
    static TrainingResult cold;
    static final List<Duration> etas = new CopyOnWriteArrayList<>();
    static final List<String> stages = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        corpus = tmp.resolve("music");
        home = tmp.resolve("home");
        for (Map.Entry<String, Path> e : SOURCES.entrySet()) {
            List<Path> files;
            try (Stream<Path> s = Files.walk(e.getValue())) {
                // Over 1 MB: long enough to cut 12 s from 20 s in (wesnoth's jingles are shorter).
                files = s.filter(p -> p.toString().matches(".*\\.(ogg|opus)")).filter(p -> p.toFile().length() > 1 << 20)
                        .sorted().limit(6).toList();
            }
            assertEquals(6, files.size(), "six tracks under " + e.getValue() + " (scripts/setup-debian.sh --test)");
            for (int i = 0; i < 6; i++) {
                Path out = corpus.resolve(e.getKey()).resolve("album" + (i / 2 + 1)).resolve("clip" + i + ".flac");
                Files.createDirectories(out.getParent());
                ffmpeg(files.get(i), out);
            }
        }
        // Not audio at all: listed as a failure, the rest goes on.
        Files.writeString(corpus.resolve("Orchestral/album1/broken.ogg"), "not an Ogg stream");
        repository = new DefaultModelRepository(RunnerOptions.defaults(), r -> { });
        repository.install(RepoFiles.path("models", "choi-gtzan"));
        repository.activate("choi-gtzan", null);
        DefaultAudioLoader loader = new DefaultAudioLoader(new SoxrResampler());
        loader.add(new FfmpegDecoder(Set.of("mp4", "aac", "ogg", "opus")), 200, 1);
        loader.add(new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg")), 100, 2);
        real = new TrackAnalyzerComponent(repository, loader, new TemperatureCalibrator());
        real.addFrontEnd(new WaveformFrontEnd());
        TrackAnalyzer counting = new TrackAnalyzer() {
            @Override
            public TrackAnalysis analyze(Path file, String modelId) throws TemperedException {
                analysed.add(file);
                return real.analyze(file, modelId);
            }

            @Override
            public List<Outcome> analyzeAll(List<Path> files, String modelId) {
                analysed.addAll(files);
                return real.analyzeAll(files, modelId);
            }
        };
        service = new TrainingService(counting, repository, new TemperatureCalibrator(), new Metrics(), new Charts(),
                home);
        cold = service.train(request(7), new TrainingListener() {
            @Override
            public void embedded(int done, int total, Path file, boolean cached, Duration eta) {
                etas.add(eta);
            }

            @Override
            public void stage(String description) {
                stages.add(description);
            }
        });
    }

    @AfterAll
    static void tearDown() {
        if (repository != null) {
            repository.close();
        }
    }

    private static TrainingRequest request(long seed) {
        return TrainingRequest.of(corpus, LabelSource.FOLDERS, "my-genres").withSeed(seed);
    }

    private static void ffmpeg(Path in, Path out) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", "20", "-t", "12", "-i",
                in.toString(), "-ac", "1", "-ar", "22050", out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "ffmpeg " + in + ": " + log);
    }

    @Test
    void theColdRunEmbedsEveryTrackTrainsCalibratesAndListsTheBrokenFile() {
        assertEquals(List.of("Orchestral", "Soundtrack", "Synthwave"), cold.labels());
        assertEquals(Map.of("Orchestral", 6, "Soundtrack", 6, "Synthwave", 6), cold.labelCounts());
        assertEquals(19, cold.embedded(), "18 clips and the broken file went through the backbone");
        assertEquals(0, cold.cached());
        assertEquals(Set.of(corpus.resolve("Orchestral/album1/broken.ogg")), cold.failures().keySet());
        assertFalse(etas.isEmpty(), "progress with an ETA while embedding");
        assertTrue(stages.stream().anyMatch(s -> s.startsWith("embedding 19 tracks")), stages.toString());
        assertTrue(cold.warnings().stream().anyMatch(w -> w.contains("'Orchestral' has 6 tracks; at least 80")),
                cold.warnings().toString());
        assertTrue(cold.temperature() > 0.01 && cold.temperature() < 100, "T " + cold.temperature());
        for (Map<Metric, MetricValue> m : List.of(cold.uncalibrated(), cold.calibrated())) {
            for (Metric k : List.of(Metric.ACCURACY, Metric.NLL, Metric.ECE, Metric.MAE)) {
                MetricValue v = m.get(k);
                assertTrue(v.lower() <= v.value() && v.value() <= v.upper(), k + " " + v);
            }
        }
        assertEquals(cold.uncalibrated().get(Metric.ACCURACY).value(), cold.calibrated().get(Metric.ACCURACY).value(),
                1e-12, "one temperature for all members does not change the ensemble's top label");
        // Three albums a label: one each to train, calibrate and test on.
        assertEquals("6 tracks, 6 windows", cold.split().get("test"));
        assertEquals("6 tracks, 6 windows", cold.split().get("calibration"));
        assertEquals("6 tracks, 6 windows", cold.split().get("train"));
    }

    @Test
    void noAlbumIsOnTwoSides() throws IOException {
        JsonNode p = JSON.readTree(cold.packageDir().resolve("model.json").toFile()).path("provenance");
        Set<String> train = albums(p.path("trainFiles"));
        Set<String> cal = albums(p.path("validationFiles"));
        Set<String> test = albums(p.path("testFiles"));
        assertEquals(9, train.size() + cal.size() + test.size());
        assertTrue(train.stream().noneMatch(cal::contains) && train.stream().noneMatch(test::contains)
                && cal.stream().noneMatch(test::contains), train + " / " + cal + " / " + test);
    }

    private static Set<String> albums(JsonNode files) {
        Set<String> out = new java.util.TreeSet<>();
        files.forEach(f -> out.add(f.asText().substring(0, f.asText().lastIndexOf('/'))));
        return out;
    }

    @Test
    void thePackageIsOneGraphThatInstallsAnalysesAndIsSelectable() throws Exception {
        Path pkg = cold.packageDir();
        assertEquals(home.resolve("deploy/models/my-genres"), pkg, "the watched models folder");
        try (Stream<Path> s = Files.list(pkg.getParent())) {
            assertEquals(List.of(pkg), s.toList(), "no temporary folder left beside it");
        }
        byte[] graph = Files.readAllBytes(pkg.resolve("model.onnx"));
        assertEquals(List.of("logits", "embedding", "msd_tags"), OnnxGraphs.outputs(graph));
        Map<String, String> ops = OnnxGraphs.nodeOps(graph);
        assertTrue(ops.keySet().stream().noneMatch(o -> o.startsWith("/heads.")), "the backbone's own heads are gone");
        assertEquals(10, ops.values().stream().filter("Gemm"::equals).count() - backboneGemms(),
                "two Gemm per trained head");
        ModelSpec spec = repository.install(pkg);
        assertEquals(new ModelRef("my-genres", "1.0.0"), spec.ref());
        assertEquals(cold.labels(), spec.labels());
        assertEquals(cold.temperature(), spec.defaultTemperature(), 1e-12);
        TrackAnalysis a = real.analyze(corpus.resolve("Synthwave/album2/clip3.flac"), "my-genres");
        assertEquals(spec.ref(), a.prediction().model());
        assertEquals(3, a.prediction().probabilities().length);
        double sum = java.util.Arrays.stream(a.prediction().probabilities()).sum();
        assertEquals(1.0, sum, 1e-6);
        assertEquals(160, a.vectors().names().size(), "the embedding output stays");
        repository.activate("my-genres", null);
        assertEquals(spec.ref(), repository.active("genre").orElseThrow().ref());
        repository.activate("choi-gtzan", null);
        JsonNode json = JSON.readTree(pkg.resolve("model.json").toFile());
        JsonNode metrics = json.path("provenance").path("metrics").path("test").path("calibrated");
        assertEquals(cold.calibrated().get(Metric.ECE).value(), metrics.path("ece").asDouble(), 1e-12);
        assertEquals(2, metrics.path("eceInterval95").size());
        assertEquals(List.of(7L * 1_000_003L, 7L * 1_000_003L + 1, 7L * 1_000_003L + 2, 7L * 1_000_003L + 3,
                7L * 1_000_003L + 4), java.util.stream.StreamSupport.stream(
                json.path("provenance").path("seeds").spliterator(), false).map(JsonNode::asLong).toList());
    }

    private static long backboneGemms() throws IOException {
        byte[] shipped = Files.readAllBytes(RepoFiles.path("models", "choi-gtzan", "model.onnx"));
        return OnnxGraphs.nodeOps(shipped).entrySet().stream()
                .filter(e -> e.getValue().equals("Gemm") && !e.getKey().startsWith("/heads.")).count();
    }

    @Test
    void aRetrainDecodesNothingAgainAndTheSameSeedGivesTheSameBytes() throws Exception {
        analysed.clear();
        Path other = tmp.resolve("again");
        TrainingResult warm = service.train(request(7).withOutput(other), TrainingListener.NONE);
        assertEquals(List.of(corpus.resolve("Orchestral/album1/broken.ogg")), analysed,
                "only the file that failed is tried again; every embedding came from the cache");
        assertEquals(18, warm.cached());
        assertArrayEquals(Files.readAllBytes(cold.packageDir().resolve("model.onnx")),
                Files.readAllBytes(warm.packageDir().resolve("model.onnx")));
        assertArrayEquals(Files.readAllBytes(cold.packageDir().resolve("heads.onnx")),
                Files.readAllBytes(warm.packageDir().resolve("heads.onnx")));
        assertEquals(cold.temperature(), warm.temperature());

        TrainingResult seed8 = service.train(request(8).withOutput(tmp.resolve("seed8")), TrainingListener.NONE);
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(cold.packageDir().resolve("heads.onnx")),
                Files.readAllBytes(seed8.packageDir().resolve("heads.onnx"))), "another seed, other heads");
    }

    @Test
    void theMcDropoutVariantIsOneHeadWhoseMasksAreDrawnAfreshInTheGraph() throws Exception {
        TrainingResult mc = service.train(TrainingRequest.of(corpus, LabelSource.FOLDERS, "my-mc").withSeed(7)
                .withMcDropout(8).withOutput(tmp.resolve("mc")),
                TrainingListener.NONE);
        assertEquals(18, mc.cached(), "the embeddings of the ensemble's run are reused");
        byte[] graph = Files.readAllBytes(mc.packageDir().resolve("model.onnx"));
        Map<String, String> ops = OnnxGraphs.nodeOps(graph);
        assertEquals(1 + 8, ops.values().stream().filter("Gemm"::equals).count() - backboneGemms(),
                "one hidden layer, an output layer per pass");
        assertEquals(8, ops.values().stream().filter("RandomUniformLike"::equals).count(), "a mask per pass");
        JsonNode json = JSON.readTree(mc.packageDir().resolve("model.json").toFile());
        assertEquals("mc-dropout", json.path("provenance").path("method").asText());
        assertEquals(8, json.path("members").asInt());
        assertEquals(8, json.path("output").path("shape").get(1).asInt());
        assertTrue(mc.temperature() > 0.01 && mc.temperature() < 100, "T " + mc.temperature());

        ModelSpec spec = repository.install(mc.packageDir());
        Path clip = corpus.resolve("Synthwave/album2/clip3.flac");
        // Active, so one session serves both analyses (a session's random generator starts from the same seed).
        repository.activate(spec.ref().id(), null);
        TrackAnalysis a;
        TrackAnalysis b;
        try {
            a = real.analyze(clip, null);
            b = real.analyze(clip, null);
        } finally {
            repository.activate("choi-gtzan", null);
        }
        assertEquals(spec.ref(), a.prediction().model());
        assertEquals(1.0, java.util.Arrays.stream(a.prediction().probabilities()).sum(), 1e-6);
        // Dropout stays active at inference: the passes disagree (mutual information) and two runs differ.
        assertTrue(a.prediction().mutualInformation() > 0, "MI " + a.prediction().mutualInformation());
        assertFalse(java.util.Arrays.equals(a.prediction().probabilities(), b.prediction().probabilities()),
                "fresh masks on every run");
        repository.uninstall(spec.ref());
    }

    @Test
    void dataThatCannotMakeAModelIsRefusedWithTheReason() throws Exception {
        Path one = tmp.resolve("one-label");
        copy("Orchestral", one.resolve("Orchestral"));
        TemperedException single = assertThrows(TemperedException.class, () -> service.train(
                TrainingRequest.of(one, LabelSource.FOLDERS, "x").withOutput(tmp.resolve("x")), TrainingListener.NONE));
        assertTrue(single.getMessage().contains("at least two labels"), single.getMessage());

        Path flat = tmp.resolve("one-album");
        copy("Orchestral", flat.resolve("Orchestral"));
        Path synth = flat.resolve("Synthwave/only-album");
        Files.createDirectories(synth);
        try (Stream<Path> s = Files.walk(corpus.resolve("Synthwave"))) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                Files.copy(f, synth.resolve(f.getFileName()));
            }
        }
        TemperedException albums = assertThrows(TemperedException.class, () -> service.train(
                TrainingRequest.of(flat, LabelSource.FOLDERS, "x").withOutput(tmp.resolve("x")), TrainingListener.NONE));
        assertTrue(albums.getMessage().contains("'Synthwave' has its tracks in 1 album; it needs at least 3"),
                albums.getMessage());
        assertFalse(Files.exists(tmp.resolve("x")), "nothing written");
    }

    private static void copy(String label, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(corpus.resolve(label))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".flac")).toList()) {
                Path dest = to.resolve(corpus.resolve(label).relativize(f));
                Files.createDirectories(dest.getParent());
                Files.copy(f, dest);
            }
        }
    }

}
