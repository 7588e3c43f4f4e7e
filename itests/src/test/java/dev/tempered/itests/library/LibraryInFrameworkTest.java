package dev.tempered.itests.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The library bundle inside Felix with the real decoders, front end, ONNX model, calibrator, tag writer and the
 * H2 index: whole-track analysis, a tagging job with labels from genre tags, the rerun that does nothing new, and
 * the labelled logits for re-calibration. Clips are cut with ffmpeg from Debian's wesnoth-1.16-music and asc-music.
 */
class LibraryInFrameworkTest {
    private static final String INFERENCE_PID = "dev.tempered.inference";
    private static final String LIBRARY_PID = "dev.tempered.library";
    private static final Path ASC = Path.of("/usr/share/games/asc/music/frontiers.mp3");
    private static final Path WESNOTH = Path.of("/usr/share/games/wesnoth/1.16/data/core/music/battle-epic.ogg");

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @InjectService(timeout = 10_000)
    ModelRepository repository;

    @InjectService(timeout = 20_000)
    TrackAnalyzer analyzer;

    @InjectService(timeout = 20_000)
    TagWriter writer;

    private Path work;
    private Path indexDir;
    private Configuration inference;
    private Configuration library;

    @BeforeEach
    void setUp() throws Exception {
        work = Files.createTempDirectory("tempered-library-it-");
        Path models = Files.createDirectories(work.resolve("models"));
        indexDir = work.resolve("index");
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
        await(() -> repository.active("genre").isPresent(), "the shipped model becomes active");
        library = configAdmin.getConfiguration(LIBRARY_PID, "?");
        library.update(new Hashtable<>(Map.of("indexDir", indexDir.toString())));
        await(() -> tagger() != null, "the collection tagger on the test's index");
    }

    @AfterEach
    void tearDown() throws Exception {
        library.delete();
        inference.delete();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void analysesTagsResumesAndHandsOutLabelledLogits() throws Exception {
        Path music = work.resolve("music");
        Path orchestral = clip(WESNOTH, music.resolve("Orchestral/battle.flac"), "Classical");
        Path synth = clip(ASC, music.resolve("Other/frontiers.flac"), "Electronica");
        Files.writeString(music.resolve("Other/notes.txt"), "not audio");

        TrackAnalysis a = analyzer.analyze(orchestral, null);
        assertEquals("gtzan-mlp", a.prediction().model().id());
        assertEquals(1.0, Arrays.stream(a.prediction().probabilities()).sum(), 1e-6);
        assertEquals(1, a.windows().size(), "a 20 s clip is one window");

        CollectionTagger tagger = tagger();
        TagJobRequest request = new TagJobRequest(List.of(music), null, false, new TagPolicy(0.0,
                TagPolicy.BelowThreshold.REVIEW, TagPolicy.ExistingGenre.KEEP, true), 2, work.resolve("report"),
                LabelSource.TAGS, null, false);
        TagJobSummary first = tagger.tag(request, TagJobListener.NONE);
        assertEquals(2, first.found(), "the text file is not audio");
        assertEquals(2, first.analysed());
        assertEquals(0, first.failed(), first.failures().toString());
        assertEquals(2, first.written());
        assertTrue(Files.isRegularFile(indexDir.resolve("index.mv.db")), "the H2 index is on disk");
        assertEquals(1, first.unmappedLabels().get("Electronica"));
        assertEquals(1.0, first.evaluation().get("files"));
        assertTrue(first.evaluation().containsKey("ece"), "metrics come from the calibration bundle");
        assertTrue(Files.readString(work.resolve("report/report.html")).contains("battle.flac"));
        assertTrue(Files.isRegularFile(work.resolve("report/reliability.svg")));
        Map<String, String> tags = writer.read(orchestral);
        assertTrue(tags.get(TagFields.MODEL).startsWith("gtzan-mlp@1.0.0"), tags.toString());

        TagJobSummary second = tagger.tag(request, TagJobListener.NONE);
        assertEquals(0, second.analysed());
        assertEquals(0, second.written());
        assertEquals(2, second.unchanged());

        LabelledLogits logits = tagger.labelled(List.of(music), null, LabelSource.TAGS, null, TagJobListener.NONE);
        assertEquals(1, logits.size());
        assertEquals(logits.labels().indexOf("classical"), logits.truth()[0]);
        List<LibraryEntry> entries = tagger.entries(List.of(music));
        assertEquals(2, entries.size());
        assertFalse(entries.stream().anyMatch(e -> e.status() == LibraryEntry.Status.FAILED));
    }

    private CollectionTagger tagger() {
        try {
            for (ServiceReference<CollectionTagger> r : context.getServiceReferences(CollectionTagger.class, null)) {
                if (indexDir.toString().equals(r.getProperty("indexDir"))) {
                    return context.getService(r);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    /** A 20 s mono FLAC excerpt with a genre tag. */
    private static Path clip(Path source, Path out, String genre) throws Exception {
        assertTrue(Files.isRegularFile(source), source + " is missing: apt-get install asc-music wesnoth-1.16-music");
        Files.createDirectories(out.getParent());
        Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-ss", "40", "-t", "20",
                "-i", source.toString(), "-ac", "1", "-ar", "22050", "-c:a", "flac", "-metadata", "GENRE=" + genre,
                out.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg failed: " + log);
        return out;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting: " + what);
            }
            Thread.sleep(50);
        }
    }
}
