package dev.tempered.api.tag;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
}
