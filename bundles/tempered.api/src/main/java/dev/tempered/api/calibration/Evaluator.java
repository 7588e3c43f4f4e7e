package dev.tempered.api.calibration;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The owner of {@code tempered evaluate}: measures a model's labelled logits at T = 1, the current and the replaced
 * temperature (each metric with a percentile bootstrap interval), fits the temperature that would have been best on
 * the data, and writes reliability diagrams, temperature sweeps (validation and test curves when both exist) and
 * metrics.csv into the report folder. Files are replaced whole; a link planted at a report file is replaced, never
 * followed.
 *
 * @since 2.0
 */
@ProviderType
public interface Evaluator {
    /**
     * Evaluates and writes the report.
     *
     * @throws java.io.IOException when the report cannot be written
     */
    EvaluationResult evaluate(EvaluationRequest request) throws java.io.IOException;
}
