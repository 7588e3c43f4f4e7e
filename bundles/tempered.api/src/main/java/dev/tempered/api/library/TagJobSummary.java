package dev.tempered.api.library;

import dev.tempered.api.ModelRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a collection job did.
 *
 * @param model          the model used
 * @param temperature    the temperature applied
 * @param dryRun         whether tags were left alone
 * @param cancelled      whether it was stopped before the end
 * @param found          audio files found
 * @param analysed       files decoded and analysed
 * @param recalibrated   files re-calibrated from stored logits
 * @param unchanged      files already up to date
 * @param failed         files that failed
 * @param written        files whose tags were written
 * @param review         files below the confidence threshold (marked for review or skipped)
 * @param genres         files per top genre, over every file the job accounted for
 * @param failures       the failed files with their reason
 * @param audioSeconds   seconds of audio analysed
 * @param wallNanos      the job's wall-clock time
 * @param stageNanos     summed time per stage: {@code scan}, {@code decode}, {@code features}, {@code inference},
 *                       {@code write}, {@code index}, {@code report} (stages overlap across threads)
 * @param evaluation     when labels were known: {@code files}, {@code accuracy}, {@code ece}, {@code nll}; else empty
 * @param unmappedLabels label texts found in folders or tags that map onto no model label, with their counts
 * @param index          the index database file
 * @param reports        the report files written (HTML first), or empty
 * @param warnings       folders that could not be read, symlink loops and other things skipped, in words
 */
public record TagJobSummary(ModelRef model, double temperature, boolean dryRun, boolean cancelled, int found,
        int analysed, int recalibrated, int unchanged, int failed, int written, int review, Map<String, Integer> genres,
        Map<Path, String> failures, double audioSeconds, long wallNanos, Map<String, Long> stageNanos,
        Map<String, Double> evaluation, Map<String, Integer> unmappedLabels, Path index, List<Path> reports,
        List<String> warnings) {
    public TagJobSummary {
        genres = Map.copyOf(genres);
        failures = Map.copyOf(failures);
        stageNanos = Map.copyOf(stageNanos);
        evaluation = Map.copyOf(evaluation);
        unmappedLabels = Map.copyOf(unmappedLabels);
        reports = List.copyOf(reports);
        warnings = List.copyOf(warnings);
    }
}
