package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.tag.TagJournal.Entry;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Undo of a large journal: {@code tempered.bench.entries} entries (default 20,000) over as many real files, each
 * undo a real safe write (copy, fsync, verification, rename). The files are copies of one tagged 1 s FLAC and
 * the journal lines are those the writer wrote for it, re-addressed, so that setting up does not take the time of
 * 20,000 writes. A benchmark, not a test: {@code -Dtest=UndoBench -Dtempered.bench=true}.
 */
@EnabledIfSystemProperty(named = "tempered.bench", matches = "true")
class UndoBench {
    @TempDir
    Path tmp;

    @Test
    void undoOfManyJournalEntries() throws Exception {
        int n = Integer.getInteger("tempered.bench.entries", 20_000);
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Path template = lib.resolve("template.flac");
        Fixtures.ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=8000", "-metadata",
                "title=bench", template.toString());
        TagWriterImpl w = new TagWriterImpl(tmp.resolve("journal"), true, SafeReplace.NONE);
        var before = w.read(template);
        assertTrue(w.apply(w.plan(template, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
        Entry written = w.entries(Instant.EPOCH).get(0);
        Files.delete(w.journalFile());
        List<Path> files = new ArrayList<>();
        StringBuilder journal = new StringBuilder();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Path f = Files.createDirectories(lib.resolve(String.format("%03d", i / 1000)))
                    .resolve(String.format("%05d.flac", i));
            Files.copy(template, f);
            files.add(f.toRealPath());
            journal.append(Journal.format(new Entry(written.time().plusMillis(i), f.toRealPath(), false,
                    written.before(), written.after()))).append('\n');
        }
        Files.writeString(w.journalFile(), journal, StandardCharsets.UTF_8);
        long p0 = System.nanoTime();
        assertEquals(n, w.entries(Instant.EPOCH).size());
        double parse = (System.nanoTime() - p0) / 1e9;
        long t1 = System.nanoTime();
        List<TagResult> rs = w.undoSince(Instant.EPOCH);
        long t2 = System.nanoTime();
        assertEquals(n, rs.size());
        assertTrue(rs.stream().allMatch(TagResult::written), () -> rs.stream().filter(r -> !r.written())
                .findFirst().map(TagResult::message).orElse(""));
        assertEquals(before, w.read(files.get(n - 1)));
        long lines = Files.readAllLines(w.journalFile()).size();
        System.out.printf("| undo of %d journal entries (%d files) | one parse of the journal %.2f s | undo %.1f s |"
                + " %.2f ms/file | journal lines after compaction: %d (setup %.1f s) |%n", n, files.size(), parse,
                (t2 - t1) / 1e9, (t2 - t1) / 1e6 / n, lines, (t1 - t0) / 1e9);
    }
}
