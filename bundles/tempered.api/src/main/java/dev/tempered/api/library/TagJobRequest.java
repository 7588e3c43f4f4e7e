package dev.tempered.api.library;

import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a collection job should do.
 *
 * @param roots        files and folders to scan, recursively
 * @param modelId      the model to use, or {@code null} for the active genre model
 * @param dryRun       analyse and report, but write no tags
 * @param policy       what to write per file (threshold, existing genres)
 * @param jobs         threads decoding and computing features in parallel; 0 for one per core
 * @param reportDir    where to write the CSV, JSON and HTML reports, or {@code null} for none
 * @param labelsFrom   where ground truth comes from, for evaluation and re-calibration
 * @param labelMapping a mapping file ({@code name = label} per line) replacing the default genre-name mapping,
 *                     or {@code null}
 * @param reanalyse    analyse every file again even if the index says it is up to date
 */
public record TagJobRequest(List<Path> roots, @Nullable String modelId, boolean dryRun, TagPolicy policy, int jobs,
        @Nullable Path reportDir, LabelSource labelsFrom, @Nullable Path labelMapping, boolean reanalyse) {
    public TagJobRequest {
        roots = List.copyOf(roots);
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(labelsFrom, "labelsFrom");
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("no files or folders to scan");
        }
        if (jobs < 0) {
            throw new IllegalArgumentException("jobs must be >= 0: " + jobs);
        }
    }

    /** A request with the default policy, no report and no labels. */
    public static TagJobRequest of(List<Path> roots, boolean dryRun) {
        return new TagJobRequest(roots, null, dryRun, TagPolicy.defaults(), 0, null, LabelSource.NONE, null, false);
    }
}
