package dev.tempered.itests.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The whole path a user sees: the shipped GTZAN model analyses a real clip, the model's calibration
 * configuration changes, and the next analysis of the same clip reports the new temperature and a softer
 * distribution, with the same analyzer and model still running.
 */
class AnalyzeSeesCalibrationInFrameworkTest {
    private static final String INFERENCE_PID = "dev.tempered.inference";
    private static final String CALIBRATION_FACTORY_PID = "dev.tempered.calibration";
    private static final Path ASC = Path.of("/usr/share/games/asc/music/frontiers.mp3");

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @InjectService(timeout = 10_000)
    ModelRepository repository;

    @InjectService(timeout = 20_000)
    TrackAnalyzer analyzer;

    private Path work;
    private Configuration inference;

    @BeforeEach
    void installTheShippedModel() throws Exception {
        work = Files.createTempDirectory("tempered-calibration-it-");
        Path models = Files.createDirectories(work.resolve("models"));
        inference = configAdmin.getConfiguration(INFERENCE_PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("modelDirs", new String[] {models.toString()});
        props.put("pollMillis", 100L);
        props.put("intraOpThreads", 1);
        inference.update(props);
        Path source = Path.of(context.getProperty("tempered.repo"), "models", "gtzan-mlp");
        Path staged = Files.createDirectories(work.resolve("staging"));
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                Files.copy(f, staged.resolve(f.getFileName()));
            }
        }
        Files.move(staged, models.resolve("gtzan-mlp"));
        await(() -> repository.active("genre").map(s -> s.ref().id().equals("gtzan-mlp")).orElse(false),
                "the shipped model becomes active");
    }

    @AfterEach
    void tearDown() throws Exception {
        inference.delete();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void aNewTemperatureShowsInTheNextAnalysis() throws Exception {
        Path clip = clip(ASC, work.resolve("frontiers.flac"));
        ModelSpec spec = repository.active("genre").orElseThrow();
        GenrePrediction before = analyzer.analyze(clip, null).prediction();
        assertEquals(spec.defaultTemperature(), before.temperature(), 1e-9, "package default before any configuration");

        Configuration calibration = configAdmin.getFactoryConfiguration(CALIBRATION_FACTORY_PID, "gtzan-mlp", "?");
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("model.id", "gtzan-mlp");
            props.put("temperature", "6.0");
            calibration.update(props);
            await(() -> analyze(clip).temperature() == 6.0, "the configured temperature reaches analyze");
            GenrePrediction after = analyze(clip);
            assertTrue(after.attribution().endsWith("T=6.0000"), after.attribution());
            assertTrue(after.confidence() < before.confidence(), "T = 6 must soften the distribution: "
                    + before.confidence() + " -> " + after.confidence());
            assertTrue(after.entropy() > before.entropy());
        } finally {
            calibration.delete();
        }
        await(() -> analyze(clip).temperature() == spec.defaultTemperature(), "deleting restores the default");
    }

    @InjectService(timeout = 10_000)
    dev.tempered.api.workbench.Workbench workbench;

    @InjectService(timeout = 10_000)
    dev.tempered.api.calibration.TemperatureSettings settings;

    @Test
    void theWorkbenchRunsTheModelOnTheFeatureCsvAndTheStoreRecordsTheReplacedTemperature() throws Exception {
        ModelSpec spec = repository.active("genre").orElseThrow();
        Path csv = Path.of(context.getProperty("tempered.repo"), "fixtures", "gtzan", "features_30_sec.csv");
        // Through Jackson's CSV bundle, with the package's training and validation rows skipped.
        dev.tempered.api.workbench.LabelledData data = workbench.load(new dev.tempered.api.workbench.LabelledDataRequest(
                csv, spec.ref(), null, null, false), dev.tempered.api.library.TagJobListener.NONE);
        assertTrue(data.ranModel());
        assertTrue(data.skippedTrain() > 0 && data.validation().isPresent(), data.description());
        assertEquals(data.read(), data.logits().size() + data.skippedTrain() + data.skippedValidation());
        Path logits = work.resolve("logits.csv");
        workbench.writeLogits(data.logits(), logits);
        dev.tempered.api.workbench.LabelledData again = workbench.load(new dev.tempered.api.workbench.LabelledDataRequest(
                logits, spec.ref(), null, null, false), dev.tempered.api.library.TagJobListener.NONE);
        assertTrue(!again.ranModel() && again.logits().size() == data.logits().size(), again.description());

        try {
            settings.setTemperature(spec.ref(), 3.5, "it");
            await(() -> settings.previousTemperature(spec.ref()).isPresent(), "the store reports the replaced T");
            assertEquals(spec.defaultTemperature(), settings.previousTemperature(spec.ref()).getAsDouble(), 1e-6);
        } finally {
            settings.reset(spec.ref());
        }
    }

    private GenrePrediction analyze(Path clip) {
        try {
            return analyzer.analyze(clip, null).prediction();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    /** A 20 s mono FLAC excerpt of a Debian-packaged track. */
    private static Path clip(Path source, Path out) throws Exception {
        assertTrue(Files.isRegularFile(source), source + " is missing: apt-get install asc-music");
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-ss", "40", "-t", "20",
                "-i", source.toString(), "-ac", "1", "-ar", "22050", "-c:a", "flac", out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg failed: " + log);
        return out;
    }
}
