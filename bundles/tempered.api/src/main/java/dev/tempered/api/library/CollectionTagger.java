package dev.tempered.api.library;

import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Tags whole collections: scans folders for audio (recognised by content), analyses what the library index does
 * not already know with the current model and temperature, writes tags safely, keeps the index and writes
 * reports. Jobs are resumable: a job that was stopped or killed continues where it stopped when run again.
 * Thread-safe; jobs on one index run one at a time.
 */
@ProviderType
public interface CollectionTagger {
    /**
     * Runs a job to the end or until the listener cancels it.
     *
     * @throws TemperedException when the job as a whole cannot run (no model, index locked by another process,
     *                           report folder not writable); per-file failures go into the summary
     */
    TagJobSummary tag(TagJobRequest request, TagJobListener listener) throws TemperedException;

    /**
     * Writes the tags of predictions made elsewhere (a {@code tempered spark} table folder and its
     * {@value StoredPrediction#FILE}) through the same policy, writer, review queue, index and reports as
     * {@link #tag}: a file is written only while its content hash is the one it had when it was analysed (else it
     * is a failure "changed since"), an error row is a failure with its error, and only rows for files under the
     * request's roots are applied. The table's model must be installed (its outside-the-taxonomy limit and
     * configured threshold apply); the request's model id is not used.
     *
     * @throws TemperedException when the table cannot be read, names no model or one that is not installed
     * @since 1.3
     */
    TagJobSummary apply(Path table, TagJobRequest request, TagJobListener listener) throws TemperedException;

    /**
     * Restores, through the tag journal, the tags of files under the roots as they were before Tempered wrote
     * them, and marks them unwritten in the index.
     *
     * @return one result per file Tempered had written to
     * @throws TemperedException if the tag journal is not available
     */
    List<TagResult> undo(List<Path> roots, TagJobListener listener) throws TemperedException;

    /**
     * The index's logits of analysed files under the roots whose ground truth is known from folders or tags, one
     * row per analysis window labelled with its file's label, for evaluating or re-fitting the temperature on a
     * user's own collection. Files not analysed yet are analysed first (nothing is written to them).
     *
     * @param modelId      the model, or {@code null} for the active genre model
     * @param labelMapping a mapping file, or {@code null} for the default mapping
     * @throws TemperedException if no labelled file was found, or the job cannot run
     */
    LabelledLogits labelled(List<Path> roots, @Nullable String modelId, LabelSource source, @Nullable Path labelMapping,
            TagJobListener listener) throws TemperedException;

    /** The index entries of files under the roots (every file in the index when the list is empty). */
    List<LibraryEntry> entries(List<Path> roots) throws TemperedException;
}
