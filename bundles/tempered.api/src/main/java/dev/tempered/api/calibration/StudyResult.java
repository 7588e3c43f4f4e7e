package dev.tempered.api.calibration;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link CalibrationStudy} found and wrote.
 *
 * @param split      how the rows were split, in words, with the part sizes
 * @param variants   one row per variant (single network, MC dropout, deep ensemble), in that order
 * @param page       the HTML page with every figure
 * @param summary    the markdown summary file
 * @param files      every file written, the page and summary included
 * @param markdown   the summary's text
 * @since 1.1
 */
public record StudyResult(String split, List<Variant> variants, Path page, Path summary, List<Path> files,
        String markdown) {
    public StudyResult {
        variants = List.copyOf(variants);
        files = List.copyOf(files);
    }

    /**
     * One variant's temperatures and test-part metrics.
     *
     * @param name          e.g. {@code deep ensemble (5)}
     * @param validationT   the NLL-optimal T on the validation part (what the study applies to the test part)
     * @param testT         the NLL-optimal T on the test part (reported only)
     * @param uncalibrated  test-part metrics at T = 1, with bootstrap intervals
     * @param scaled        test-part metrics at {@code validationT}
     */
    public record Variant(String name, double validationT, double testT, Map<Metric, MetricValue> uncalibrated,
            Map<Metric, MetricValue> scaled) {
        public Variant {
            uncalibrated = Map.copyOf(uncalibrated);
            scaled = Map.copyOf(scaled);
        }
    }
}
