package dev.tempered.api.calibration;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.EnsembleOutput;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Applies and fits temperature scaling. The temperature per model id comes from configuration (one ConfigAdmin
 * factory configuration of {@code dev.tempered.calibration} per model id) and falls back to the package's
 * default; changes apply to the next call, without restart. Thread-safe.
 */
@ProviderType
public interface Calibrator {
    /** The temperature that {@link #apply} uses now for the model. */
    double temperature(ModelRef model, double packageDefault);

    /**
     * Calibrates one row of an ensemble output with the model's current temperature
     * ({@link CalibrationMethod#MEMBER_T}).
     */
    GenrePrediction apply(EnsembleOutput output, int row, java.util.List<String> labels, double packageDefault);

    /** Calibrates one row with an explicit temperature. */
    GenrePrediction apply(EnsembleOutput output, int row, java.util.List<String> labels, double packageDefault,
            double temperature);

    /**
     * The calibrated distribution of every row of labelled logits at a temperature ({@link CalibrationMethod#MEMBER_T}:
     * the mean over members of softmax(z / T)), what {@link #apply} computes row by row; for measuring and fitting.
     *
     * @since 2.0
     */
    default double[][] probabilities(LabelledLogits data, double temperature) {
        double[][][] z = data.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            int classes = z[i][0].length;
            p[i] = new double[classes];
            for (double[] member : z[i]) {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : member) {
                    max = Math.max(max, v / temperature);
                }
                double sum = 0;
                double[] e = new double[classes];
                for (int k = 0; k < classes; k++) {
                    e[k] = Math.exp(member[k] / temperature - max);
                    sum += e[k];
                }
                for (int k = 0; k < classes; k++) {
                    p[i][k] += e[k] / sum / z[i].length;
                }
            }
        }
        return p;
    }

    /**
     * The policy threshold configured for the model alongside its temperature (property {@code min.confidence}),
     * if any; a tag policy uses it in place of its default minimum confidence.
     */
    default java.util.OptionalDouble minConfidence(ModelRef model) {
        return java.util.OptionalDouble.empty();
    }

    /**
     * Fits calibration parameters by minimising the mean NLL over {@code data}.
     *
     * @throws CalibrationException on an empty set, a single class, or non-finite logits
     */
    TemperatureFit fit(LabelledLogits data, CalibrationMethod method) throws CalibrationException;
}
