package dev.tempered.api.tag;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The record of every tag write, kept so that a write can be undone: the genre and Tempered's fields before and
 * after each write. An undo is itself a safe write (temporary file, verification, atomic rename) and is journaled.
 */
@ProviderType
public interface TagJournal {
    /**
     * One journaled write.
     *
     * @param time   when the file was replaced
     * @param file   the file, as an absolute real path
     * @param undo   whether this write was an undo
     * @param before {@code GENRE} and Tempered's fields before the write; a field that was absent is absent
     * @param after  the same fields after the write
     */
    record Entry(Instant time, Path file, boolean undo, Map<String, List<String>> before,
            Map<String, List<String>> after) {
        public Entry {
            Objects.requireNonNull(time, "time");
            Objects.requireNonNull(file, "file");
            before = Map.copyOf(before);
            after = Map.copyOf(after);
        }
    }

    /** The entries written at or after {@code since}, oldest first. */
    List<Entry> entries(Instant since) throws TagException;

    /**
     * Restores the values one file had before Tempered's writes to it that are not undone yet. A file whose fields
     * were changed by someone else since our last write is left alone and reported with {@code written == false}.
     */
    TagResult undo(Path file) throws TagException;

    /** Undoes, file by file, every write at or after {@code since} that is not undone yet. */
    List<TagResult> undoSince(Instant since);

    /**
     * Undoes each file as {@link #undo(Path)} does, reading the journal once for the whole batch. A file that cannot
     * be undone (deleted, re-encoded, changed since) is reported with {@code written == false} and its reason, and
     * the batch goes on; it stops between files when {@code cancelled} says so.
     *
     * @since 1.2
     */
    default List<TagResult> undo(Collection<Path> files, BooleanSupplier cancelled) {
        List<TagResult> out = new ArrayList<>();
        for (Path f : files) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            try {
                out.add(undo(f));
            } catch (TagException | RuntimeException e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                String prefix = f + ": ";
                out.add(new TagResult(f, null, false, m.startsWith(prefix) ? m.substring(prefix.length()) : m));
            }
        }
        return out;
    }
}
