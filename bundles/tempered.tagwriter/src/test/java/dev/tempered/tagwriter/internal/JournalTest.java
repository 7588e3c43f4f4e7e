package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.tag.TagJournal.Entry;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal through Jackson, batch undo reading it once, and compaction. */
class JournalTest {
    @TempDir
    Path tmp;

    private static Entry entry(String file, long t, boolean undo, String before, String after) {
        return new Entry(Instant.ofEpochSecond(t), Path.of(file), undo,
                before == null ? Map.of() : Map.of("GENRE", List.of(before)),
                Map.of("GENRE", List.of(after), "TEMPERED_CONFIDENCE", List.of("0.9000")));
    }

    @Test
    void entriesRoundTripWhateverTheirCharacters() throws Exception {
        Journal j = new Journal(tmp);
        // Quotes, backslashes, a newline and a tab in a path, characters outside the BMP, control characters.
        Entry e = new Entry(Instant.parse("2026-12-03T10:00:00.123456Z"), Path.of("/m/a \"b\"\\c\nd\te 𝄞 é.flac"),
                false, Map.of("GENRE", List.of("Rock", "Pop\u0001")), Map.of("GENRE", List.of("Hip-Hop")));
        j.append(e);
        assertEquals(1, Files.readAllLines(j.file()).size(), "one entry, one line");
        assertEquals(List.of(e), j.read(Instant.EPOCH));
    }

    @Test
    void damagedLinesAreNotEntries() {
        String whole = "{\"time\":\"2026-12-03T10:00:00Z\",\"file\":\"/a.flac\",\"undo\":false,\"before\":{},"
                + "\"after\":{\"GENRE\":[\"Rock\"]}}";
        assertEquals(Path.of("/a.flac"), Journal.parse(whole).file());
        assertNull(Journal.parse(whole.substring(0, whole.length() - 1)), "torn");
        assertNull(Journal.parse(whole + "{\"time\":"), "something glued behind it");
        assertNull(Journal.parse(whole.replace("\"file\":\"/a.flac\",", "")), "no file");
        assertNull(Journal.parse(whole.replace("[\"Rock\"]", "[null]")), "a null value");
        assertNull(Journal.parse(whole.replace("2026-12-03T10:00:00Z", "yesterday")), "no time");
        assertEquals(Path.of("/a.flac"), Journal.parse(whole.replace("\"undo\"", "\"newer\":1,\"undo\"")).file(),
                "a key a newer version adds is skipped");
    }

    @Test
    void compactionDropsWhatUndoSupersededAndMergesOldRuns() throws Exception {
        Journal j = new Journal(tmp);
        j.append(entry("/a", 1, false, null, "Rock"));
        j.append(entry("/a", 2, false, "Rock", "Pop"));
        j.append(entry("/a", 3, true, "Pop", "x"));     // a is undone: 1 and 2 are superseded
        j.append(entry("/b", 4, false, "Jazz", "Rock"));
        j.append(entry("/b", 5, false, "Rock", "Pop"));
        j.append(entry("/b", 6, false, "Pop", "Blues"));
        j.append(entry("/c", 7, true, "Pop", "y"));
        j.append(entry("/c", 8, false, "y", "Metal")); // c's undo is superseded by this later write

        assertEquals(3, j.compact(Instant.EPOCH));
        List<Entry> kept = j.read(Instant.EPOCH);
        assertEquals(List.of(entry("/a", 3, true, "Pop", "x"), entry("/b", 4, false, "Jazz", "Rock"),
                entry("/b", 5, false, "Rock", "Pop"), entry("/b", 6, false, "Pop", "Blues"),
                entry("/c", 8, false, "y", "Metal")), kept);

        // Writes before the cut become one: the first one's time and "before", the last one's "after".
        assertEquals(1, j.compact(Instant.ofEpochSecond(6)));
        List<Entry> merged = j.read(Instant.EPOCH).stream().filter(e -> e.file().equals(Path.of("/b"))).toList();
        assertEquals(List.of(new Entry(Instant.ofEpochSecond(4), Path.of("/b"), false,
                Map.of("GENRE", List.of("Jazz")), entry("/b", 5, false, "Rock", "Pop").after()),
                entry("/b", 6, false, "Pop", "Blues")), merged);
        assertEquals(0, j.compact(Instant.EPOCH), "nothing left to remove");
    }

    @Test
    void batchUndoReadsTheJournalOnceAndCompactsIt() throws Exception {
        TagWriterImpl w = new TagWriterImpl(tmp.resolve("journal"), true, SafeReplace.NONE);
        Path dir = Files.createDirectories(tmp.resolve("music"));
        List<String> names = List.of("a.flac", "a.ogg", "v24.mp3", "a.opus");
        Map<Path, Map<String, String>> before = new java.util.HashMap<>();
        for (String n : names) {
            Path f = Fixtures.copy(n, dir).toRealPath();
            before.put(f, w.read(f));
            assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
            assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.3), TagPolicy.defaults())).written());
        }
        Journal j = journal(w);
        int parses = j.parses();
        List<TagResult> rs = w.undo(before.keySet(), () -> false);
        assertEquals(names.size(), rs.size());
        for (TagResult r : rs) {
            assertTrue(r.written(), r.message());
            assertEquals(before.get(r.file()), w.read(r.file()));
        }
        assertTrue(j.parses() - parses <= 2, "one parse for the batch and one for compaction, not one per file: "
                + (j.parses() - parses));
        List<Entry> left = w.entries(Instant.EPOCH);
        assertEquals(names.size(), left.size(), "only each file's undo is left: " + left);
        assertTrue(left.stream().allMatch(Entry::undo));
        assertFalse(w.undo(rs.get(0).file()).written(), "nothing left to undo after compaction");
    }

    private static Journal journal(TagWriterImpl w) throws Exception {
        var f = TagWriterImpl.class.getDeclaredField("journal");
        f.setAccessible(true);
        return (Journal) f.get(w);
    }
}
