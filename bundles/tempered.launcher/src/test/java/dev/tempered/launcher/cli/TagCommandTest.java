package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.library.TaggingDefaults;
import dev.tempered.api.library.TaggingSettings;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagCommandTest {
    @TempDir
    Path dir;

    /** Records the request; the job itself is the library's (tested there). */
    static final class Tagger implements CollectionTagger {
        TagJobRequest request;
        List<TagResult> undone = List.of();

        @Override
        public TagJobSummary tag(TagJobRequest r, TagJobListener listener) {
            request = r;
            return new TagJobSummary(new ModelRef("m", "1"), 1, r.dryRun(), false, 0, 0, 0, 0, 0, 0, 0, Map.of(),
                    Map.of(), 0, 1, Map.of(), Map.of(), Map.of(), Path.of("index"), List.of(), List.of());
        }

        @Override
        public dev.tempered.api.library.TagJobSummary apply(Path table, dev.tempered.api.library.TagJobRequest request,
                dev.tempered.api.library.TagJobListener listener) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public List<TagResult> undo(List<Path> roots, TagJobListener listener) {
            return undone;
        }

        @Override
        public LabelledLogits labelled(List<Path> roots, String modelId, LabelSource source, Path labelMapping,
                TagJobListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<LibraryEntry> entries(List<Path> roots) {
            return List.of();
        }
    }

    private static final TaggingSettings NOTHING_SET = TaggingDefaults::none;

    @Test
    void theGenrePolicyThresholdsNamesAndMtimeReachTheJob() throws Exception {
        Tagger t = new Tagger();
        CalibrationFakes.Context c = new CalibrationFakes.Context(dir).with(CollectionTagger.class, t)
                .with(TaggingSettings.class, NOTHING_SET);
        Path map = dir.resolve("genres.txt");
        Files.writeString(map, "hiphop = Rap\n");
        assertEquals(0, Cli.run(new TagCommand(), List.of(dir.toString()), c));
        TagPolicy d = t.request.policy();
        assertEquals(TagPolicy.ExistingGenre.FILL_EMPTY, d.existingGenre(), "existing genres are kept by default");
        assertTrue(Double.isNaN(d.minConfidence()), "no threshold given: the model's min.confidence decides");
        assertEquals(false, d.preserveModified());
        Cli.run(new TagCommand(), List.of("--genre", "replace", "--min-confidence", "0.7", "--min-suggest", "0.3",
                "--genre-map", map.toString(), "--keep-mtime", dir.toString()), c);
        TagPolicy p = t.request.policy();
        assertEquals(TagPolicy.ExistingGenre.REPLACE, p.existingGenre());
        assertEquals(0.7, p.minConfidence());
        assertEquals(0.3, p.suggestConfidence());
        assertEquals("Rap", p.genreNames().name("hiphop"));
        assertTrue(p.preserveModified());
        for (String g : List.of("keep", "append", "fill-empty")) {
            Cli.run(new TagCommand(), List.of("--genre", g, dir.toString()), c);
            assertEquals(g.replace('-', '_'), t.request.policy().existingGenre().name().toLowerCase());
        }
        assertThrows(UsageException.class, () -> Cli.run(new TagCommand(), List.of("--genre", "overwrite",
                dir.toString()), c));
        assertThrows(UsageException.class, () -> Cli.run(new TagCommand(), List.of("--min-confidence", "0.2",
                "--min-suggest", "0.4", dir.toString()), c));
        UsageException e = assertThrows(UsageException.class, () -> Cli.run(new TagCommand(), List.of("--genre-map",
                dir.resolve("missing.txt").toString(), dir.toString()), c));
        assertTrue(e.getMessage().contains("missing.txt"), e.getMessage());
    }

    @Test
    void temperedConfSetsTheDefaultsAndOptionsOverrideThem() throws Exception {
        Tagger t = new Tagger();
        TaggingDefaults conf = new TaggingDefaults(0.8, 0.4, TagPolicy.ExistingGenre.KEEP, null, true, "choi-gtzan",
                dir.resolve("tempered.conf"));
        CalibrationFakes.Context c = new CalibrationFakes.Context(dir).with(CollectionTagger.class, t)
                .with(TaggingSettings.class, () -> conf);
        assertEquals(0, Cli.run(new TagCommand(), List.of(dir.toString()), c));
        TagPolicy p = t.request.policy();
        assertEquals(0.8, p.minConfidence());
        assertEquals(0.4, p.suggestConfidence());
        assertEquals(TagPolicy.ExistingGenre.KEEP, p.existingGenre());
        assertTrue(p.preserveModified());
        assertEquals("choi-gtzan", t.request.modelId());

        Cli.run(new TagCommand(), List.of("--min-confidence", "0.6", "--min-suggest", "0.2", "--genre", "append",
                "--no-keep-mtime", "--model", "gtzan-mlp", dir.toString()), c);
        p = t.request.policy();
        assertEquals(0.6, p.minConfidence());
        assertEquals(0.2, p.suggestConfidence());
        assertEquals(TagPolicy.ExistingGenre.APPEND, p.existingGenre());
        assertEquals(false, p.preserveModified());
        assertEquals("gtzan-mlp", t.request.modelId());

        // Only --min-confidence given, below the file's min.suggest: the message names both.
        UsageException e = assertThrows(UsageException.class, () -> Cli.run(new TagCommand(),
                List.of("--min-confidence", "0.3", dir.toString()), c));
        assertTrue(e.getMessage().contains("tempered.conf") && e.getMessage().contains("--min-suggest"),
                e.getMessage());

        CalibrationFakes.Context broken = new CalibrationFakes.Context(dir).with(CollectionTagger.class, t)
                .with(TaggingSettings.class, () -> {
                    throw new dev.tempered.api.TemperedException(dir.resolve("tempered.conf"),
                            "line 3: genre must be keep, replace, append or fill-empty, not 'x'");
                });
        e = assertThrows(UsageException.class, () -> Cli.run(new TagCommand(), List.of(dir.toString()), broken));
        assertTrue(e.getMessage().contains("tempered.conf") && e.getMessage().contains("line 3"), e.getMessage());
    }

    @Test
    void undoOfAPathThatDoesNotExistFailsClearly() {
        Tagger t = new Tagger();
        CalibrationFakes.Context c = new CalibrationFakes.Context(dir).with(CollectionTagger.class, t);
        UsageException e = assertThrows(UsageException.class,
                () -> Cli.run(new TagCommand(), List.of("--undo", "/nonexistent"), c));
        assertTrue(e.getMessage().contains("/nonexistent") && e.getMessage().contains("no such file"),
                e.getMessage());
    }

    @Test
    void reviewListsRelativePathsAndAdaptsTheService() throws Exception {
        List<String> calls = new ArrayList<>();
        ReviewQueue q = new ReviewQueue() {
            @Override
            public List<Item> list(List<Path> paths) {
                calls.add("list " + paths);
                return List.of(new Item(dir.resolve("A/01.ogg"), "A/01.ogg", "Romantic Classical", "Classical", 0.93,
                        0.01, "kept"), new Item(dir.resolve("B/01.ogg"), "B/01.ogg", null, "Reggae", 0.31, 0.2, "low"));
            }

            @Override
            public List<TagResult> accept(List<Path> paths) {
                calls.add("accept " + paths);
                return List.of(new TagResult(paths.get(0), null, true, "written"));
            }

            @Override
            public List<TagResult> reject(List<Path> paths) {
                calls.add("reject " + paths);
                return List.of();
            }

            @Override
            public List<TagResult> clear(List<Path> paths) {
                calls.add("clear " + paths);
                return List.of();
            }
        };
        CalibrationFakes.Context c = new CalibrationFakes.Context(dir).with(ReviewQueue.class, q);
        assertEquals(0, Cli.run(new ReviewCommand(), List.of("list", dir.toString()), c));
        String out = c.output();
        assertTrue(out.contains("A/01.ogg") && out.contains("B/01.ogg"), out);
        assertTrue(out.contains("Romantic Classical") && out.contains("Classical") && out.contains("0.930"), out);
        assertEquals(0, Cli.run(new ReviewCommand(), List.of("accept", dir.toString()), c));
        Cli.run(new ReviewCommand(), List.of("reject", dir.toString()), c);
        Cli.run(new ReviewCommand(), List.of("clear", dir.toString()), c);
        assertEquals(List.of("list [" + dir + "]", "accept [" + dir + "]", "reject [" + dir + "]",
                "clear [" + dir + "]"), calls);
        assertThrows(UsageException.class, () -> Cli.run(new ReviewCommand(), List.of("accept"), c));
        assertThrows(UsageException.class, () -> Cli.run(new ReviewCommand(), List.of("list", "/nonexistent"), c));
    }
}
