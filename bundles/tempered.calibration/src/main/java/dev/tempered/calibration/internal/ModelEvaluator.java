package dev.tempered.calibration.internal;

import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.EvaluationRequest;
import dev.tempered.api.calibration.EvaluationResult;
import dev.tempered.api.calibration.Evaluator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.TemperatureFit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code tempered evaluate}'s figures and report, over the calibrator, the metrics and the charts. */
@Component(service = Evaluator.class)
public final class ModelEvaluator implements Evaluator {
    /** The order of metrics.csv. */
    static final List<Metric> ORDER = List.of(Metric.ACCURACY, Metric.NLL, Metric.BRIER, Metric.ECE,
            Metric.ECE_EQUAL_MASS, Metric.MCE, Metric.CLASSWISE_ECE, Metric.MAE);
    private final Calibrator calibrator;
    private final CalibrationMetrics metrics;
    private final CalibrationCharts charts;

    @Activate
    public ModelEvaluator(@Reference Calibrator calibrator, @Reference CalibrationMetrics metrics,
            @Reference CalibrationCharts charts) {
        this.calibrator = calibrator;
        this.metrics = metrics;
        this.charts = charts;
    }

    @Override
    public EvaluationResult evaluate(EvaluationRequest r) throws IOException {
        LabelledLogits data = r.data();
        int[] truth = data.truth();
        double[][] p1 = calibrator.probabilities(data, 1.0);
        double[][] pc = calibrator.probabilities(data, r.current());
        Map<Metric, MetricValue> atOne = metrics.evaluate(p1, truth, r.bins(), r.resamples(), 0.95, r.seed());
        Map<Metric, MetricValue> atCurrent = metrics.evaluate(pc, truth, r.bins(), r.resamples(), 0.95, r.seed());
        Optional<Map<Metric, MetricValue>> atPrevious = Optional.empty();
        if (r.previous().isPresent()) {
            atPrevious = Optional.of(metrics.evaluate(calibrator.probabilities(data, r.previous().getAsDouble()), truth,
                    r.bins(), r.resamples(), 0.95, r.seed()));
        }
        TemperatureFit best = null;
        String noBest = "";
        try {
            best = calibrator.fit(data, CalibrationMethod.MEMBER_T);
        } catch (CalibrationException e) {
            noBest = e.getMessage();
        }
        double[][] pb = best == null ? null : calibrator.probabilities(data, best.temperature());

        Path dir = r.report();
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        String what = r.model() + " on " + r.dataName() + " (" + truth.length + " rows)";
        for (String ext : List.of("png", "svg")) {
            files.add(reliability(p1, truth, r.bins(), what + ", T = 1", dir.resolve("reliability-T1." + ext)));
            files.add(reliability(pc, truth, r.bins(), String.format(Locale.ROOT, "%s, T = %.3f (%s)", what,
                    r.current(), r.currentSource()), dir.resolve("reliability-current." + ext)));
            if (pb != null) {
                files.add(reliability(pb, truth, r.bins(), String.format(Locale.ROOT, "%s, T = %.3f (best on this "
                        + "data)", what, best.temperature()), dir.resolve("reliability-best." + ext)));
            }
            Map<String, LabelledLogits> curves = new LinkedHashMap<>();
            if (r.validation().isPresent()) {
                // The paper's point: the T best on validation is not the T best on test.
                curves.put("validation (" + r.validation().get().size() + " rows)", r.validation().get());
                curves.put("test (" + data.size() + " rows)", data);
            } else {
                curves.put(r.dataName(), data);
            }
            double lo = Math.min(0.25, r.current() / 2);
            double hi = Math.max(8, r.current() * 2);
            for (Metric m : List.of(Metric.NLL, Metric.ECE, Metric.MAE)) {
                Path f = dir.resolve("sweep-" + m.name().toLowerCase(Locale.ROOT) + "." + ext);
                charts.sweep(curves, m, r.bins(), lo, hi, r.current(), r.model() + ": " + Charts.metricLabel(m)
                        + " against T", f);
                files.add(f);
            }
        }
        files.add(writeMetrics(dir.resolve("metrics.csv"), atOne, atCurrent, r.current(), best));
        return new EvaluationResult(atOne, atCurrent, atPrevious, Optional.ofNullable(best),
                pb == null ? Double.NaN : metrics.compute(Metric.ECE, pb, truth, r.bins()),
                pb == null ? Double.NaN : metrics.compute(Metric.MAE, pb, truth, r.bins()), noBest, files);
    }

    private Path reliability(double[][] p, int[] truth, int bins, String title, Path file) throws IOException {
        charts.reliability(p, truth, bins, title, file);
        return file;
    }

    /** metrics.csv: one row per temperature and metric, replaced whole (a planted link is replaced, not followed). */
    private static Path writeMetrics(Path file, Map<Metric, MetricValue> atOne, Map<Metric, MetricValue> atCurrent,
            double current, TemperatureFit best) throws IOException {
        CsvRows csv = new CsvRows("temperature", "metric", "value", "lower", "upper");
        for (Metric m : ORDER) {
            for (var e : List.of(Map.entry(1.0, atOne), Map.entry(current, atCurrent))) {
                MetricValue v = e.getValue().get(m);
                csv.add(e.getKey(), m, v.value(), v.lower(), v.upper());
            }
        }
        if (best != null) {
            csv.add(best.temperature(), "NLL_BEST_ON_THIS_DATA", best.nllAfter(), best.nllAfter(), best.nllAfter());
        }
        ReportFiles.replace(file, csv.text());
        return file;
    }
}
