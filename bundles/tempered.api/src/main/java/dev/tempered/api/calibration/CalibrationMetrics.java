package dev.tempered.api.calibration;

import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Computes {@link Metric}s and reliability diagrams. Pure functions of their arguments; thread-safe. */
@ProviderType
public interface CalibrationMetrics {
    /**
     * One metric.
     *
     * @param probabilities {@code [n][classes]}, rows summing to 1
     * @param truth         true class indices
     * @param bins          bins for the binned metrics (15 is the usual choice)
     */
    double compute(Metric metric, double[][] probabilities, int[] truth, int bins);

    /**
     * Every metric with a percentile bootstrap interval.
     *
     * @param resamples bootstrap resamples (0 for none)
     * @param level     the interval's coverage, e.g. 0.95
     * @param seed      the resampling seed, so reports are reproducible
     */
    Map<Metric, MetricValue> evaluate(double[][] probabilities, int[] truth, int bins, int resamples, double level,
            long seed);

    /** The equal-width reliability diagram. */
    ReliabilityDiagram reliability(double[][] probabilities, int[] truth, int bins);
}
