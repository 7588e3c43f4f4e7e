package dev.tempered.api.calibration;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a {@link CalibrationStudy} analyses.
 *
 * @param model           the model as reports name it, e.g. {@code fma-small@1.0.0}
 * @param data            the data as reports name it (a file or folder name)
 * @param ensemble        the model's labelled logits, {@code [rows][members][classes]}, every row to split;
 *                        its member 0 is the study's single network
 * @param mcDropout       the MC-dropout sibling's logits on the same rows (passes as members), if there is one
 * @param validationRows  row names (file names) of the validation part; with {@code testRows} empty as well,
 *                        the study splits the rows itself (see {@link StudyResult#split()})
 * @param testRows        row names of the test part; rows in neither set are left out (e.g. training rows)
 * @param splitSource     where the two sets come from, for the report (e.g. the package's provenance)
 * @param shippedT        the temperature the model uses now, marked on the sweeps
 * @param bins            equal-width bins for ECE, MAE and the diagrams
 * @param resamples       bootstrap resamples for the intervals (0 for none)
 * @param seed            the bootstrap seed
 * @since 1.1
 */
public record StudyRequest(String model, String data, LabelledLogits ensemble, Optional<LabelledLogits> mcDropout,
        Set<String> validationRows, Set<String> testRows, String splitSource, double shippedT, int bins,
        int resamples, long seed) {
    public StudyRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(ensemble, "ensemble");
        Objects.requireNonNull(mcDropout, "mcDropout");
        validationRows = Set.copyOf(validationRows);
        testRows = Set.copyOf(testRows);
        Objects.requireNonNull(splitSource, "splitSource");
        if (bins < 1 || resamples < 0) {
            throw new IllegalArgumentException("bins must be >= 1 and resamples >= 0");
        }
        if (validationRows.isEmpty() != testRows.isEmpty()) {
            throw new IllegalArgumentException("give both validation and test rows, or neither");
        }
    }
}
