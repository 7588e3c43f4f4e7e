package dev.tempered.api.calibration;

/**
 * A metric's value with a bootstrap confidence interval.
 *
 * @param metric the metric
 * @param value  the value on the full data
 * @param lower  the lower end of the interval (equal to value when no bootstrap was run)
 * @param upper  the upper end of the interval
 */
public record MetricValue(Metric metric, double value, double lower, double upper) {
}
