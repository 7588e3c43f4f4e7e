package dev.tempered.api.tag;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a write would change in one file, computed without touching it.
 *
 * @param file          the file
 * @param decision      write, review or skip
 * @param genres        the genre values the file will have after the write (empty: unchanged)
 * @param fields        Tempered's fields to set, by {@link TagFields} name
 * @param previous      the values of those fields (and {@code GENRE}) before, for the undo journal
 * @param reason        why this decision, in words
 */
public record TagPlan(Path file, Decision decision, List<String> genres, Map<String, String> fields,
        Map<String, String> previous, String reason) {
    public TagPlan {
        Objects.requireNonNull(file, "file");
        genres = List.copyOf(genres);
        fields = Map.copyOf(fields);
        previous = Map.copyOf(previous);
    }

    /** The outcome of the policy for one file. */
    public enum Decision {
        /** Write the genre and Tempered's fields. */
        WRITE,
        /** Write Tempered's fields only, marked for review. */
        REVIEW,
        /** Write nothing. */
        SKIP
    }
}
