package dev.tempered.api.calibration;

import dev.tempered.api.ModelRef;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What to evaluate: a model's labelled logits at T = 1, at its current temperature and, after a calibration, at the
 * temperature that calibration replaced; plus the temperature that would have been best on this data.
 *
 * @param model          the model the logits are of
 * @param packageDefault the package's default temperature (what {@link Calibrator#apply} falls back to)
 * @param current        the temperature in use now
 * @param currentSource  where it comes from, in words ("configured", "package default")
 * @param previous       the temperature the latest calibration replaced, if it is still the one in use
 * @param data           the rows measured
 * @param validation     the package's own validation rows of the same data, drawn as a second sweep curve
 * @param dataName       the data's name for titles ("features_30_sec.csv")
 * @param bins           equal-width bins for ECE, MCE, MAE and the diagrams
 * @param resamples      bootstrap resamples (0 for none)
 * @param seed           bootstrap seed
 * @param report         where the diagrams, sweeps and metrics.csv go
 * @since 2.0
 */
public record EvaluationRequest(ModelRef model, double packageDefault, double current, String currentSource,
        OptionalDouble previous, LabelledLogits data, Optional<LabelledLogits> validation, String dataName, int bins,
        int resamples, long seed, Path report) {
    public EvaluationRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(report, "report");
        if (bins < 1 || resamples < 0) {
            throw new IllegalArgumentException("bins must be >= 1 and resamples >= 0");
        }
        if (data.size() == 0) {
            throw new IllegalArgumentException("no rows to evaluate");
        }
    }
}
