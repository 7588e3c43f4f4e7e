package dev.tempered.api.library;

import dev.tempered.api.ModelRef;
import dev.tempered.api.tag.TagPlan;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One file as the library index knows it.
 *
 * @param file              the file (absolute, normalised)
 * @param size              its size in bytes when analysed (or written)
 * @param modified          its modification time then
 * @param contentHash       a hash of its size, first and last MiB then (a change detector, not an identity)
 * @param durationSeconds   the audio's duration
 * @param model             the model that analysed it, or {@code null} if it failed before inference
 * @param temperature       the temperature applied, or NaN
 * @param labels            the model's labels, in the order of {@code probabilities}
 * @param probabilities     the calibrated distribution (copied in and out); empty on failure
 * @param topLabel          the top genre, or {@code null}
 * @param confidence        the top genre's probability, or NaN
 * @param entropy           predictive entropy in nats, or NaN
 * @param mutualInformation the members' disagreement in nats, or NaN
 * @param decision          what the tag policy decided, or {@code null} if it was not asked
 * @param written           whether tags were written (by this job or an earlier one)
 * @param writtenAt         when they were written, or {@code null}
 * @param truth             the ground-truth label (mapped onto the model's labels), or {@code null}
 * @param status            what happened in the job that produced this entry
 * @param message           a short account (the error for failures), or an empty string
 * @param genreBefore       the file's genre field when the job planned it ({@code "; "} between values), or
 *                          {@code null} if it had none or was not read
 * @param genreAfter        the genre field as the plan leaves it (the same as {@code genreBefore} when the genre
 *                          is not changed; in a dry run, what a real run would write), or {@code null}
 * @param suggestion        our top genre as it is written (through the policy's genre names), or {@code null}
 * @since 1.1 (genreBefore, genreAfter, suggestion)
 */
public record LibraryEntry(Path file, long size, Instant modified, String contentHash, double durationSeconds,
        @Nullable ModelRef model, double temperature, List<String> labels, double[] probabilities,
        @Nullable String topLabel, double confidence, double entropy, double mutualInformation,
        TagPlan.@Nullable Decision decision, boolean written, @Nullable Instant writtenAt, @Nullable String truth,
        Status status, String message, @Nullable String genreBefore, @Nullable String genreAfter,
        @Nullable String suggestion) {
    public LibraryEntry {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(status, "status");
        labels = List.copyOf(labels);
        probabilities = probabilities.clone();
        message = message == null ? "" : message;
    }

    /** An entry without genre fields (the 1.0 form). */
    public LibraryEntry(Path file, long size, Instant modified, String contentHash, double durationSeconds,
            ModelRef model, double temperature, List<String> labels, double[] probabilities, String topLabel,
            double confidence, double entropy, double mutualInformation, TagPlan.Decision decision, boolean written,
            Instant writtenAt, String truth, Status status, String message) {
        this(file, size, modified, contentHash, durationSeconds, model, temperature, labels, probabilities, topLabel,
                confidence, entropy, mutualInformation, decision, written, writtenAt, truth, status, message, null,
                null, null);
    }

    /** This entry with another status, message, decision and written state (genres and analysis kept). */
    public LibraryEntry with(TagPlan.Decision decision, boolean written, Instant writtenAt, String message) {
        return new LibraryEntry(file, size, modified, contentHash, durationSeconds, model, temperature, labels,
                probabilities, topLabel, confidence, entropy, mutualInformation, decision, written, writtenAt, truth,
                status, message, genreBefore, genreAfter, suggestion);
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    /** What a job did with a file. */
    public enum Status {
        /** Decoded and analysed in this job. */
        ANALYSED,
        /** Re-calibrated from the logits in the index with a new temperature, without decoding. */
        RECALIBRATED,
        /** Already up to date in the index: same content, model and temperature. */
        UNCHANGED,
        /** Failed; see the message. */
        FAILED
    }
}
