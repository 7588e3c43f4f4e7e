package dev.tempered.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.analysis.TrackAnalyzer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job in Spark's local mode with two executor threads on real clips: the same labels and confidences as the
 * pipeline run directly, an error row for a damaged file, and a clean rerun over what a killed job leaves behind.
 */
class SparkTagJobTest {
    private static final Path CORPUS = Path.of("target", "corpus").toAbsolutePath();
    private static SparkSession spark;
    private static List<Path> clips;
    private static Path broken;

    @BeforeAll
    static void setUp() throws Exception {
        clips = TestCorpus.clips(CORPUS, 4, 6);
        broken = TestCorpus.corrupt(CORPUS);
        spark = SparkMain.session("local[2]");
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static List<String> files() {
        List<String> files = new ArrayList<>();
        clips.forEach(c -> files.add(c.toString()));
        files.add(broken.toString());
        return files;
    }

    private static Map<String, Row> table(Path out) {
        Map<String, Row> rows = new HashMap<>();
        for (Row r : spark.read().parquet(out.toString()).collectAsList()) {
            assertNull(rows.put(r.getAs("path"), r), "two rows for " + r.getAs("path"));
        }
        return rows;
    }

    @Test
    void everyFileHasTheRowThePipelineGivesAndTheDamagedOneItsError(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("table");
        SparkTagJob.Summary s = SparkTagJob.run(spark,
                new SparkTagJob.Request(files(), TestCorpus.modelPackage(), 2, Double.NaN, out));
        assertEquals(clips.size() + 1, s.rows());
        assertEquals(1, s.errors());
        Map<String, Row> rows = table(out);
        assertEquals(clips.size() + 1, rows.size());

        List<TrackAnalyzer.Outcome> direct;
        try (CorePipeline pipeline = CorePipeline.open(TestCorpus.modelPackage())) {
            direct = pipeline.analyzeAll(clips);
        }
        for (TrackAnalyzer.Outcome o : direct) {
            assertNull(o.failure(), () -> o.file() + ": " + o.failure());
            Row r = rows.get(o.file().toString());
            assertNotNull(r, "no row for " + o.file());
            assertNull(r.getAs("error"), o.file() + ": " + r.getAs("error"));
            assertEquals(o.analysis().prediction().topLabel(), r.getAs("top_label"), o.file().toString());
            assertEquals(o.analysis().prediction().confidence(), (double) r.getAs("confidence"), 1e-6);
            assertEquals(o.analysis().prediction().entropy(), (double) r.getAs("entropy"), 1e-6);
            assertEquals(o.analysis().windows().size(), (int) r.getAs("windows"));
            assertEquals("choi-gtzan@1.0.0", r.getAs("model"));
            assertEquals(Files.size(o.file()), (long) r.getAs("size"));
            assertEquals(dev.tempered.library.internal.ContentHash.of(o.file()), r.getAs("content_hash"));
            scala.collection.Map<String, Double> dist = r.getAs("distribution");
            assertEquals(o.analysis().prediction().labels().size(), dist.size());
            assertEquals(o.analysis().prediction().confidence(), dist.apply(r.getAs("top_label")), 1e-6);
            assertTrue(List.of("write", "review", "skip").contains((String) r.getAs("decision")));
        }
        Row bad = rows.get(broken.toString());
        String error = bad.getAs("error");
        assertNotNull(error);
        assertTrue(error.contains("broken.mp3"), error);
        assertNull(bad.getAs("top_label"));
        assertEquals(Files.size(broken), (long) bad.getAs("size"));
    }

    @Test
    void aRerunOverWhatAKilledJobLeftWritesTheWholeTableOnce(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("table");
        // What a job killed while writing leaves: an uncommitted task attempt under _temporary, a committed part
        // file from another partitioning, and no _SUCCESS marker.
        Path attempt = out.resolve("_temporary/0/_temporary/attempt_202612031200_0000_m_000000_0");
        Files.createDirectories(attempt);
        Files.write(attempt.resolve("part-00000-dead.snappy.parquet"), new byte[] {1, 2, 3});
        SparkTagJob.run(spark, new SparkTagJob.Request(files().subList(0, 2), TestCorpus.modelPackage(), 1,
                Double.NaN, out));
        Files.delete(out.resolve("_SUCCESS"));
        Files.createDirectories(attempt);
        Files.write(attempt.resolve("part-00001-dead.snappy.parquet"), new byte[] {4, 5, 6});

        List<String> rerun = files().subList(1, 4);
        SparkTagJob.Summary s = SparkTagJob.run(spark,
                new SparkTagJob.Request(rerun, TestCorpus.modelPackage(), 3, Double.NaN, out));
        assertEquals(rerun.size(), s.rows());
        assertEquals(java.util.Set.copyOf(rerun), table(out).keySet());
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        assertFalse(Files.exists(out.resolve("_temporary")));
    }

    @Test
    void tagDryRunAgreesWithTheTableAndApplyWritesOnlyFilesThatDidNotChange(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        List<Path> copies = new ArrayList<>();
        for (Path c : clips) {
            copies.add(Files.copy(c, lib.resolve(c.getFileName())));
        }
        // A librarian's own genre, which the default policy keeps.
        Path tagged = copies.stream().filter(c -> c.toString().endsWith(".ogg")).findFirst().orElseThrow();
        Files.delete(tagged);
        TestCorpus.run("ffmpeg", "-v", "error", "-y", "-i", clips.get(copies.indexOf(tagged)).toString(), "-c", "copy",
                "-map_metadata", "-1", "-metadata:s:a:0", "genre=Hip-Hop", tagged.toString());
        Path damaged = Files.copy(broken, lib.resolve(broken.getFileName()));
        Path out = tmp.resolve("table");
        List<String> paths = new ArrayList<>(copies.stream().map(Path::toString).toList());
        paths.add(damaged.toString());
        SparkTagJob.run(spark, new SparkTagJob.Request(paths, TestCorpus.modelPackage(), 2, Double.NaN, out));
        Map<String, Row> rows = table(out);
        assertTrue(Files.isRegularFile(out.resolve(dev.tempered.api.library.StoredPrediction.FILE)));

        try (CorePipeline pipeline = CorePipeline.open(TestCorpus.modelPackage())) {
            dev.tempered.tagwriter.internal.TagWriterImpl writer =
                    dev.tempered.tagwriter.internal.TagWriterImpl.standalone(tmp.resolve("journal"));
            // tag --dry-run on the same files: the collection job's own path (scanner, index, pipeline, policy).
            List<dev.tempered.api.library.LibraryEntry> dry = new java.util.concurrent.CopyOnWriteArrayList<>();
            pipeline.tagger(tmp.resolve("index-dry"), writer, writer).tag(new dev.tempered.api.library.TagJobRequest(
                    List.of(lib), null, true, dev.tempered.api.tag.TagPolicy.defaults(), 1, null,
                    dev.tempered.api.library.LabelSource.NONE, null, false), listener(dry));
            int compared = 0;
            for (dev.tempered.api.library.LibraryEntry e : dry) {
                if (e.file().equals(damaged.toRealPath())) {
                    continue;
                }
                Row r = rows.get(e.file().toString());
                assertNotNull(r, "no row for " + e.file());
                assertEquals(e.topLabel(), r.getAs("top_label"), e.file().toString());
                assertEquals(e.confidence(), (double) r.getAs("confidence"), 1e-6, e.file().toString());
                compared++;
            }
            assertEquals(copies.size(), compared);

            // Changed after the Spark run: its row is no longer its own.
            Path changed = copies.stream().filter(c -> c.toString().endsWith(".wav")).findFirst().orElseThrow();
            byte[] before = Files.readAllBytes(changed);
            Files.write(changed, new byte[] {0, 0, 0, 0}, java.nio.file.StandardOpenOption.APPEND);
            byte[] edited = Files.readAllBytes(changed);
            dev.tempered.api.library.CollectionTagger tagger = pipeline.tagger(tmp.resolve("index"), writer, writer);
            dev.tempered.api.library.TagJobSummary applied = tagger.apply(out, new dev.tempered.api.library.TagJobRequest(
                    List.of(lib), null, false, dev.tempered.api.tag.TagPolicy.defaults(), 1, tmp.resolve("report"),
                    dev.tempered.api.library.LabelSource.NONE, null, false), dev.tempered.api.library.TagJobListener.NONE);
            assertTrue(applied.failures().get(changed).startsWith("changed since the Spark run"),
                    applied.failures().toString());
            assertArrayEquals(edited, Files.readAllBytes(changed), "a changed file is left as it is");
            assertTrue(applied.failures().get(damaged).contains("broken.mp3") || !applied.failures().get(damaged)
                    .isBlank(), applied.failures().toString());
            assertEquals(copies.size() - 1, applied.analysed());
            assertEquals("Hip-Hop", writer.read(tagged).get("GENRE"), "the librarian's genre is kept");
            for (Path c : copies) {
                if (!c.equals(changed)) {
                    Map<String, String> tags = writer.read(c);
                    assertEquals("choi-gtzan@1.0.0", tags.getOrDefault(dev.tempered.api.tag.TagFields.MODEL, "")
                            .split(" ")[0], c + ": " + tags);
                }
            }
            assertTrue(Files.isRegularFile(tmp.resolve("report").resolve("report.csv")));
            // The index now knows the applied files: a tag run over them analyses nothing again.
            dev.tempered.api.library.TagJobSummary again = tagger.tag(new dev.tempered.api.library.TagJobRequest(
                    List.of(lib), null, true, dev.tempered.api.tag.TagPolicy.defaults(), 1, null,
                    dev.tempered.api.library.LabelSource.NONE, null, false), dev.tempered.api.library.TagJobListener.NONE);
            assertEquals(copies.size() - 1, again.unchanged(), again.toString());
            assertFalse(java.util.Arrays.equals(before, edited));
        }
    }

    private static dev.tempered.api.library.TagJobListener listener(List<dev.tempered.api.library.LibraryEntry> done) {
        return new dev.tempered.api.library.TagJobListener() {
            @Override
            public void progress(dev.tempered.api.library.TagJobProgress progress) {
            }

            @Override
            public void fileDone(dev.tempered.api.library.LibraryEntry entry) {
                done.add(entry);
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        };
    }
}
