package dev.tempered.api.library;

import dev.tempered.api.TemperedException;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The review workflow over the library index: the files Tempered marked for a person ({@code TEMPERED_STATUS=review}:
 * below the apply threshold, or a confident suggestion that differs from the genre the file keeps), and what a person
 * decides about them. Every change goes through the tag writer's safe write and journal, and the index follows.
 *
 * @since 1.1
 */
@ProviderType
public interface ReviewQueue {
    /**
     * One file waiting for a person.
     *
     * @param file              the file (absolute)
     * @param relativePath      its path relative to the folder it was listed under (the whole path without one)
     * @param genre             its genre field now, or {@code null}
     * @param suggestion        Tempered's suggestion as it would be written
     * @param confidence        the calibrated confidence of the suggestion
     * @param mutualInformation the members' disagreement in nats
     * @param reason            why it waits, in words
     */
    record Item(Path file, String relativePath, @Nullable String genre, String suggestion, double confidence,
            double mutualInformation, String reason) {
        public Item {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(relativePath, "relativePath");
        }
    }

    /** The files under the paths (files or folders; all indexed files when empty) waiting for review, least sure first. */
    List<Item> list(List<Path> paths) throws TemperedException;

    /** Writes the suggestion into the genre field of the waiting files under the paths and clears their review mark. */
    List<TagResult> accept(List<Path> paths) throws TemperedException;

    /**
     * Marks the waiting files under the paths (or the named files, waiting or not) do-not-touch
     * ({@code TEMPERED_STATUS=rejected}): later runs and undo leave them alone; their genre is not changed.
     */
    List<TagResult> reject(List<Path> paths) throws TemperedException;

    /** Removes every field of Tempered's (the do-not-touch mark included) from the indexed files under the paths. */
    List<TagResult> clear(List<Path> paths) throws TemperedException;
}
