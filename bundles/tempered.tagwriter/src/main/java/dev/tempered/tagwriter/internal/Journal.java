package dev.tempered.tagwriter.internal;

import dev.tempered.api.tag.TagJournal.Entry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The undo journal: one JSON object per line in {@code tag-journal.jsonl}, appended and fsynced before each
 * rename. A line torn by a crash or a full disk is skipped when reading; an entry for a rename that never
 * happened is harmless, because undo only restores a file whose fields still equal the entry's "after" values.
 * A torn tail has no newline, so the next append would glue its entry onto it and lose both: append therefore
 * ends a torn tail first, and read still finds a whole entry glued behind a torn one (journals written before).
 */
final class Journal {
    private static final Logger LOG = LoggerFactory.getLogger(Journal.class);
    static final String FILE_NAME = "tag-journal.jsonl";
    /** How every entry begins: the first key is the time (Jackson keeps the order of the map we give it). */
    private static final String ENTRY_START = "{\"time\":";
    /**
     * Strict where it matters for a safety record: trailing tokens on a line are refused (they mean a glued or
     * damaged line); keys this version does not know are skipped, so a newer writer's journal still reads.
     */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** One journal line as JSON holds it. */
    private record Line(String time, String file, Boolean undo, Map<String, List<String>> before,
            Map<String, List<String>> after) {
    }
    private final Path file;

    Journal(Path directory) {
        this.file = directory.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /** The newest entry per file, rebuilt when the journal file changes under us (another process wrote to it). */
    private Map<Path, Entry> last;
    private long lastSize = -1;
    private long lastModified = -1;

    /** The file's newest journal entry (a write or an undo), if Tempered ever wrote to it. */
    synchronized java.util.Optional<Entry> last(Path real) throws IOException {
        long size = Files.exists(file) ? Files.size(file) : 0;
        long modified = size == 0 ? 0 : Files.getLastModifiedTime(file).toMillis();
        if (last == null || size != lastSize || modified != lastModified) {
            Map<Path, Entry> m = new java.util.HashMap<>();
            for (Entry e : read(Instant.EPOCH)) {
                m.put(e.file(), e);
            }
            last = m;
            lastSize = size;
            lastModified = modified;
        }
        return java.util.Optional.ofNullable(last.get(real));
    }

    synchronized void append(Entry e) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] line = (format(e) + "\n").getBytes(StandardCharsets.UTF_8);
        // READ with APPEND is not allowed; writes go at the end explicitly (one writer per home holds the job lock).
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long size = ch.size();
            if (size > 0) {
                ByteBuffer last = ByteBuffer.allocate(1);
                if (ch.read(last, size - 1) == 1 && last.get(0) != '\n') {
                    LOG.warn("{}: the last journal line is torn (a crash or a full disk); it is ended so that this"
                            + " entry stays whole", file);
                    line = ("\n" + new String(line, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                }
            }
            ch.position(size);
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        if (last != null) {
            last.put(e.file(), e);
            lastSize = Files.size(file);
            lastModified = Files.getLastModifiedTime(file).toMillis();
        }
    }

    /** How many times the whole journal was parsed: a batch must not parse it once per file. */
    private int parses;

    synchronized int parses() {
        return parses;
    }

    synchronized List<Entry> read(Instant since) throws IOException {
        parses++;
        List<Entry> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        int n = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            Entry e = parse(line);
            if (e == null) {
                // A whole entry glued behind a torn one: the entry starts at the last object opening.
                int at = line.lastIndexOf(ENTRY_START);
                e = at > 0 ? parse(line.substring(at)) : null;
                LOG.warn("{}:{}: skipping a torn journal line{}", file, n, e == null ? "" : " (the entry behind it"
                        + " is kept)");
            }
            if (e != null && !e.time().isBefore(since)) {
                out.add(e);
            }
        }
        return out;
    }

    static String format(Entry e) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.time().toString());
        m.put("file", e.file().toString());
        m.put("undo", e.undo());
        m.put("before", new java.util.TreeMap<>(e.before()));
        m.put("after", new java.util.TreeMap<>(e.after()));
        return JSON.writeValueAsString(m);
    }

    /** The entry on one line, or null when the line is not a whole entry. */
    static Entry parse(String line) {
        try {
            Line l = JSON.readValue(line, Line.class);
            if (l.time() == null || l.file() == null || l.before() == null || l.after() == null
                    || containsNull(l.before()) || containsNull(l.after())) {
                return null;
            }
            return new Entry(Instant.parse(l.time()), Path.of(l.file()), Boolean.TRUE.equals(l.undo()), l.before(),
                    l.after());
        } catch (JsonProcessingException | RuntimeException ex) {
            return null;
        }
    }

    private static boolean containsNull(Map<String, List<String>> m) {
        for (Map.Entry<String, List<String>> e : m.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue().contains(null)) {
                return true;
            }
        }
        return false;
    }

    /** Every entry, grouped by file (files in the order of their first entry, entries oldest first). */
    synchronized Map<Path, List<Entry>> byFile() throws IOException {
        Map<Path, List<Entry>> m = new LinkedHashMap<>();
        for (Entry e : read(Instant.EPOCH)) {
            m.computeIfAbsent(e.file(), k -> new ArrayList<>()).add(e);
        }
        return m;
    }

    /**
     * Rewrites the journal without the entries nothing can use any more: per file, everything before its last
     * undo (those writes are undone; the undo itself stays only while it is the file's newest entry, which tells a
     * later run what we left there), and runs of writes made before {@code mergeBefore}, which become one entry
     * (the first one's time and "before", the last one's "after"): undo of the file still restores the same values,
     * only "undo since" a moment inside such a run no longer can. The new journal replaces the old in one rename.
     *
     * @return how many entries were removed
     */
    synchronized int compact(Instant mergeBefore) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        List<Entry> all = read(Instant.EPOCH);
        Map<Path, List<Entry>> files = new LinkedHashMap<>();
        for (Entry e : all) {
            files.computeIfAbsent(e.file(), k -> new ArrayList<>()).add(e);
        }
        List<Entry> kept = new ArrayList<>();
        for (List<Entry> es : files.values()) {
            int lastUndo = -1;
            for (int i = 0; i < es.size(); i++) {
                if (es.get(i).undo()) {
                    lastUndo = i;
                }
            }
            if (lastUndo == es.size() - 1) {
                kept.add(es.get(lastUndo));
                continue;
            }
            Entry run = null;
            for (Entry e : es.subList(lastUndo + 1, es.size())) {
                if (run != null && e.time().isBefore(mergeBefore)) {
                    run = new Entry(run.time(), run.file(), false, run.before(), e.after());
                } else {
                    if (run != null) {
                        kept.add(run);
                    }
                    run = e;
                }
            }
            kept.add(run);
        }
        kept.sort(java.util.Comparator.comparing(Entry::time));
        int removed = all.size() - kept.size();
        if (removed == 0) {
            return 0;
        }
        Path temp = file.resolveSibling(FILE_NAME + ".compact.tmp");
        StringBuilder b = new StringBuilder();
        for (Entry e : kept) {
            b.append(format(e)).append('\n');
        }
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(b.toString().getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        last = null;
        LOG.info("{}: compacted, {} superseded entries removed, {} kept", file, removed, kept.size());
        return removed;
    }
}
