package dev.tempered.api.training;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a training run made and measured.
 *
 * @param model        the new package's id and version
 * @param packageDir   the package folder, complete (it was moved there in one step)
 * @param labels       the labels learned, in output order
 * @param labelCounts  tracks per label that were used
 * @param split        tracks per part: {@code train}, {@code calibration}, {@code test}, and how albums were grouped
 * @param temperature  T fitted by NLL on the calibration part
 * @param uncalibrated metrics on the test part at T = 1, with bootstrap intervals (accuracy, NLL, ECE, MAE, ...)
 * @param calibrated   the same at the fitted T
 * @param reliability  the test part's reliability diagram at the fitted T
 * @param diagram      the diagram as a PNG, when a report folder was asked for
 * @param embedded     tracks decoded and run through the backbone in this run
 * @param cached       tracks whose embedding came from the cache (nothing decoded)
 * @param failures     files that could not be used, with the reason; the run went on without them
 * @param warnings     every warning given
 * @param embedSeconds wall-clock time of the embedding stage
 * @param trainSeconds wall-clock time of training, fitting T and evaluating
 * @since 1.0
 */
public record TrainingResult(ModelRef model, Path packageDir, List<String> labels, Map<String, Integer> labelCounts,
        Map<String, String> split, double temperature, Map<Metric, MetricValue> uncalibrated,
        Map<Metric, MetricValue> calibrated, ReliabilityDiagram reliability, Optional<Path> diagram, int embedded,
        int cached, Map<Path, String> failures, List<String> warnings, double embedSeconds, double trainSeconds) {
    public TrainingResult {
        labels = List.copyOf(labels);
        labelCounts = Map.copyOf(labelCounts);
        split = Map.copyOf(split);
        uncalibrated = Map.copyOf(uncalibrated);
        calibrated = Map.copyOf(calibrated);
        failures = Map.copyOf(failures);
        warnings = List.copyOf(warnings);
    }
}
