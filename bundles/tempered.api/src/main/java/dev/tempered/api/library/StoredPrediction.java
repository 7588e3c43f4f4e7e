package dev.tempered.api.library;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One file's prediction made elsewhere (a row of a {@code tempered spark} table), for {@link CollectionTagger#apply}.
 * A table folder holds them as JSON lines in {@value #FILE} beside its Parquet parts (Spark's readers skip names
 * starting with {@code _}).
 *
 * @param path              the file, absolute
 * @param size              its size in bytes when it was analysed
 * @param modifiedMillis    its modification time then (ms since the epoch)
 * @param contentHash       its content hash then (the library index's); the tags are applied only while it matches
 * @param model             the model, {@code id@version}
 * @param temperature       the temperature the distribution was calibrated with
 * @param labels            the model's labels, the order of {@code probabilities}
 * @param probabilities     the calibrated distribution over the whole track
 * @param mutualInformation the ensemble's or MC passes' disagreement (nats)
 * @param durationSeconds   the audio's duration, NaN if unknown
 * @param error             why the file could not be analysed; then the other results are empty
 * @since 1.3
 */
public record StoredPrediction(String path, long size, long modifiedMillis, @Nullable String contentHash,
        @Nullable String model, double temperature, List<String> labels, double[] probabilities,
        double mutualInformation, double durationSeconds, @Nullable String error) {
    /** The file of a table folder that holds its rows as JSON lines. */
    public static final String FILE = "_tempered-predictions.jsonl";

    public StoredPrediction {
        Objects.requireNonNull(path, "path");
        labels = labels == null ? List.of() : List.copyOf(labels);
        probabilities = probabilities == null ? new double[0] : probabilities.clone();
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }
}
