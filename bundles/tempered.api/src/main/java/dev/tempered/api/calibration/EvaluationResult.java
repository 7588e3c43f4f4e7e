package dev.tempered.api.calibration;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's figures on labelled data.
 *
 * @param atOne      every metric at T = 1, with its bootstrap interval
 * @param atCurrent  every metric at the current temperature
 * @param atPrevious every metric at the temperature the latest calibration replaced, when there is one
 * @param best       the temperature that minimises NLL on this data (optimistic: fitted on it), unless none can be
 *                   fitted (then {@code noBest} says why)
 * @param bestEce    ECE at the best temperature (NaN without one)
 * @param bestMae    MAE at the best temperature (NaN without one)
 * @param noBest     why no best temperature could be fitted, or empty
 * @param files      the files written into the report folder
 * @since 2.0
 */
public record EvaluationResult(Map<Metric, MetricValue> atOne, Map<Metric, MetricValue> atCurrent,
        Optional<Map<Metric, MetricValue>> atPrevious, Optional<TemperatureFit> best, double bestEce, double bestMae,
        String noBest, List<Path> files) {
    public EvaluationResult {
        atOne = Map.copyOf(atOne);
        atCurrent = Map.copyOf(atCurrent);
        files = List.copyOf(files);
    }
}
