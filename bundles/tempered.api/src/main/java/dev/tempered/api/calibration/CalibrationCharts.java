package dev.tempered.api.calibration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Draws reliability diagrams and temperature sweeps into PNG or SVG files, chosen by the file name's
 * extension ({@code .png} or {@code .svg}). Needs no display (works under {@code java.awt.headless=true}).
 * Thread-safe.
 */
@ProviderType
public interface CalibrationCharts {
    /**
     * Draws the equal-width reliability diagram of calibrated probabilities: per-bin accuracy bars, gap bars
     * from accuracy to mean confidence, the diagonal of perfect calibration, each bin's row count, and the ECE
     * and MAE (see {@link Metric}) in the title.
     *
     * @param probabilities {@code [n][classes]}
     * @param truth         true class indices
     * @param bins          equal-width bins (15 is the usual choice)
     * @param title         the chart's title; the metrics are appended
     * @param file          where to write, ending in {@code .png} or {@code .svg}; replaced atomically
     * @throws IOException if the file cannot be written
     */
    void reliability(double[][] probabilities, int[] truth, int bins, String title, Path file) throws IOException;

    /**
     * Draws a metric against the temperature (logarithmic axis) for one or more labelled data sets, e.g.
     * validation and test, with T applied as {@link CalibrationMethod#MEMBER_T}; each curve's minimum is marked
     * and labelled, so a reader sees at once how far apart the optimal temperatures are.
     *
     * @param data              named data sets, drawn in the map's iteration order
     * @param metric            the metric on the vertical axis
     * @param bins              bins for binned metrics
     * @param minT              the smallest temperature drawn, &gt; 0
     * @param maxT              the largest temperature drawn, &gt; minT
     * @param markedTemperature a temperature to mark with a vertical line (e.g. the model's current one), or NaN
     * @param title             the chart's title
     * @param file              where to write, ending in {@code .png} or {@code .svg}; replaced atomically
     * @return each data set's best temperature on the drawn grid (61 log-spaced points), by name
     * @throws IOException if the file cannot be written
     */
    Map<String, Double> sweep(Map<String, LabelledLogits> data, Metric metric, int bins, double minT, double maxT,
            double markedTemperature, String title, Path file) throws IOException;
}
