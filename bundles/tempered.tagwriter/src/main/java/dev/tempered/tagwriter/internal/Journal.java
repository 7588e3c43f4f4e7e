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
    /** How {@link Json#write} begins every entry: the first key is the time. */
    private static final String ENTRY_START = "{\"time\":";
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
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("time", e.time().toString());
        m.put("file", e.file().toString());
        m.put("undo", e.undo());
        m.put("before", e.before());
        m.put("after", e.after());
        byte[] line = (Json.write(m) + "\n").getBytes(StandardCharsets.UTF_8);
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

    synchronized List<Entry> read(Instant since) throws IOException {
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

    @SuppressWarnings("unchecked")
    private static Entry parse(String line) {
        try {
            Map<String, Object> m = (Map<String, Object>) Json.parse(line);
            return new Entry(Instant.parse((String) m.get("time")), Path.of((String) m.get("file")),
                    Boolean.TRUE.equals(m.get("undo")), (Map<String, List<String>>) (Map<?, ?>) m.get("before"),
                    (Map<String, List<String>>) (Map<?, ?>) m.get("after"));
        } catch (RuntimeException ex) {
            return null;
        }
    }
}
