package dev.tempered.api.workbench;

import dev.tempered.api.calibration.LabelledLogits;
import java.util.Objects;
import java.util.Optional;

/**
 * Labelled member logits loaded for one model.
 *
 * @param logits            the rows to measure or fit on
 * @param validation        the package's own validation rows of the same CSV, when they were skipped from
 *                          {@code logits} (drawn beside them: the temperature best on validation is not the best on
 *                          test); empty otherwise
 * @param read              rows (or analysis windows) read before skipping
 * @param skippedTrain      rows skipped because the package trained on them
 * @param skippedValidation rows skipped because the package fitted its temperature on them
 * @param ranModel          whether the logits were computed by running the model (features or audio), rather
 *                          than read from a logits CSV
 * @param description       one line for a person: what was used and skipped, and how the labels were found
 */
public record LabelledData(LabelledLogits logits, Optional<LabelledLogits> validation, int read, int skippedTrain,
        int skippedValidation, boolean ranModel, String description) {
    public LabelledData {
        Objects.requireNonNull(logits, "logits");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(description, "description");
    }
}
