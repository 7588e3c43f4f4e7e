package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import dev.tempered.tagwriter.internal.TagWriterImpl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undo over a folder where one tagged file was deleted and one re-encoded since: each is reported with its reason
 * and every other file is still restored (real files made by ffmpeg, the real tag writer and journal).
 */
class UndoBatchTest {
    private static final Path MUSIC = Path.of("/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg");

    @TempDir
    Path tmp;

    @Test
    void undoReportsEachFileAndGoesOnPastDeletedAndReencodedOnes() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        List<String> names = List.of("a.flac", "b.mp3", "c.ogg", "d.flac", "e.mp3");
        for (String n : names) {
            QuietAudioTest.run("ffmpeg", "-v", "error", "-ss", "30", "-t", "3", "-i", MUSIC.toString(),
                    "-map_metadata", "-1", lib.resolve(n).toString());
        }
        TagWriterImpl writer = TagWriterImpl.standalone(tmp.resolve("home/journal"));
        GenrePrediction p = GenrePrediction.of(new ModelRef("choi-gtzan", "1.0.0"), 1.2, List.of("classical",
                "rock"), new double[] {0.9, 0.1}, 0.01);
        Map<String, Map<String, String>> before = new java.util.HashMap<>();
        for (String n : names) {
            Path f = lib.resolve(n);
            before.put(n, writer.read(f));
            assertTrue(writer.apply(writer.plan(f, p, TagPolicy.defaults())).written(), n);
        }
        // b.mp3 deleted; d.flac re-encoded in place by another tool (a Sun AU stream now, under the old name).
        Files.delete(lib.resolve("b.mp3"));
        Path reencoded = tmp.resolve("d.au");
        QuietAudioTest.run("ffmpeg", "-v", "error", "-i", lib.resolve("d.flac").toString(), "-f", "au",
                reencoded.toString());
        Files.move(reencoded, lib.resolve("d.flac"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        CollectionTaggerComponent tagger = new CollectionTaggerComponent(new Fakes.Repository(
                new Fakes.Model(Fakes.SPEC)), new Fakes.Loader(), new Fakes.Calib(), tmp.resolve("home/library"));
        tagger.setJournal(writer);
        List<TagResult> results = tagger.undo(List.of(lib), TagJobListener.NONE);
        Map<String, TagResult> byName = results.stream().collect(Collectors.toMap(
                r -> r.file().getFileName().toString(), Function.identity()));
        assertEquals(names.size(), results.size(), results.toString());
        for (String n : List.of("a.flac", "c.ogg", "e.mp3")) {
            assertTrue(byName.get(n).written(), n + ": " + byName.get(n).message());
            assertEquals(before.get(n), writer.read(lib.resolve(n)), n);
        }
        assertFalse(byName.get("b.mp3").written());
        assertTrue(byName.get("b.mp3").message().contains("no such file"), byName.get("b.mp3").message());
        assertFalse(byName.get("d.flac").written());
        assertFalse(byName.get("d.flac").message().isBlank());
        assertFalse(byName.get("d.flac").message().contains("internal error"), byName.get("d.flac").message());
    }
}
