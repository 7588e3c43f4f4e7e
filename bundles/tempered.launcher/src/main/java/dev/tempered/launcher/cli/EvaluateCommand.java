package dev.tempered.launcher.cli;

import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.workbench.LabelledData;
import dev.tempered.api.workbench.Workbench;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tempered evaluate}: accuracy and calibration of a model on labelled data (loaded by the {@link Workbench}
 * service), at T = 1 and at the model's current temperature, with bootstrap intervals, plus reliability diagrams
 * and temperature sweeps drawn by the {@link CalibrationCharts} service.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"measure accuracy and calibration (ECE, MAE, NLL) on labelled data", "",
            "Measures a model on labelled data at T = 1 and at the model's current temperature (configured, else",
            "the package default; never fitted on this data), each metric with a percentile bootstrap interval.",
            "Then reports, separately, the temperature that would have been best on this data, and writes",
            "reliability diagrams and temperature sweeps (with the package's validation rows as a second curve",
            "when the data holds them). After a `tempered calibrate`, the temperature it replaced is shown",
            "beside the new one.", "",
            "Rows whose file name the package lists as training or validation data (its provenance trainFiles /",
            "validationFiles) are skipped, so figures are not optimistic. A folder of music is analysed through",
            "the library index, writing nothing, one row per analysis window.", "",
            "Metrics: accuracy; NLL (nats); Brier; ECE over equal-width and equal-mass bins; MCE; classwise ECE;",
            "MAE = unweighted mean |accuracy - confidence| over non-empty bins (the reliability-diagram error of",
            "Lukashevich et al. 2023).", "",
            "Example: tempered evaluate --data features_30_sec.csv --report report/"})
public final class EvaluateCommand implements TemperedCommand {
    static final Duration WAIT = LabelledDataOptions.WAIT;
    private static final List<Metric> ORDER = List.of(Metric.ACCURACY, Metric.NLL, Metric.BRIER, Metric.ECE,
            Metric.ECE_EQUAL_MASS, Metric.MCE, Metric.CLASSWISE_ECE, Metric.MAE);
    private static final CsvMapper CSV = new CsvMapper();

    @Mixin
    LabelledDataOptions data = new LabelledDataOptions();

    @Option(names = "--report", paramLabel = "DIR",
            description = "where diagrams, metrics.csv and logits.csv go (default ./tempered-report)")
    Path report;

    @Option(names = "--bins", paramLabel = "N",
            description = "equal-width bins for ECE, MCE, MAE and the diagrams (default 15)")
    int bins = 15;

    @Option(names = "--resamples", paramLabel = "N", description = "bootstrap resamples (default 1000; 0 for none)")
    int resamples = 1000;

    @Option(names = "--seed", paramLabel = "N", description = "bootstrap seed (default 1)")
    long seed = 1;

    @Override
    public int run(CliContext context) throws Exception {
        if (bins < 1 || resamples < 0) {
            throw new UsageException("--bins needs an integer >= 1 and --resamples one >= 0");
        }
        Path report = this.report == null ? Path.of("tempered-report") : this.report;
        PrintStream out = context.out();
        ModelRepository repository = context.service(ModelRepository.class, WAIT);
        Calibrator calibrator = context.service(Calibrator.class, WAIT);
        CalibrationMetrics metrics = context.service(CalibrationMetrics.class, WAIT);
        CalibrationCharts charts = context.service(CalibrationCharts.class, WAIT);

        ModelSpec spec = data.spec(repository);
        LabelledData loaded = data.load(context, spec, false);
        LabelledLogits logits = loaded.logits();
        double current = calibrator.temperature(spec.ref(), spec.defaultTemperature());
        String currentSource = current == spec.defaultTemperature() ? "package default" : "configured";
        out.printf(Locale.ROOT, "%s on %s%n", spec.ref(), data.data.getFileName());
        out.println("  " + loaded.description());
        out.printf(Locale.ROOT, "  %d member distribution%s per row, %d classes, %d bins, %s%n%n",
                logits.logits()[0].length, logits.logits()[0].length == 1 ? "" : "s",
                spec.labels().size(), bins, resamples == 0 ? "no bootstrap"
                        : resamples + " bootstrap resamples, 95% percentile intervals, seed " + seed);

        double[][] p1 = probabilities(calibrator, spec, logits, 1.0);
        double[][] pc = probabilities(calibrator, spec, logits, current);
        int[] truth = logits.truth();
        Map<Metric, MetricValue> at1 = metrics.evaluate(p1, truth, bins, resamples, 0.95, seed);
        Map<Metric, MetricValue> atCurrent = metrics.evaluate(pc, truth, bins, resamples, 0.95, seed);
        String h1 = "T = 1";
        String hc = String.format(Locale.ROOT, "T = %.4f (%s)", current, currentSource);
        // After a tempered calibrate: the temperature it replaced, side by side with the new one.
        double previous = context.services(TemperatureSettings.class).stream().findFirst()
                .map(settings -> settings.previousTemperature(spec.ref())).orElse(java.util.OptionalDouble.empty())
                .orElse(Double.NaN);
        Map<Metric, MetricValue> atPrevious = Double.isNaN(previous) ? null : metrics.evaluate(
                probabilities(calibrator, spec, logits, previous), truth, bins, resamples, 0.95, seed);
        String hp = atPrevious == null ? "" : String.format(Locale.ROOT, "T = %.4f (before calibrate)", previous);
        out.printf(Locale.ROOT, "%-16s %-26s %-30s %s%n", "metric", h1, hp, hc);
        for (Metric m : ORDER) {
            out.printf(Locale.ROOT, "%-16s %-26s %-30s %s%n", label(m), cell(at1.get(m)),
                    atPrevious == null ? "" : cell(atPrevious.get(m)), cell(atCurrent.get(m)));
        }

        TemperatureFit best;
        try {
            best = calibrator.fit(logits, CalibrationMethod.MEMBER_T);
        } catch (CalibrationException e) {
            out.println();
            out.println("No best temperature: " + e.getMessage());
            best = null;
        }
        double[][] pb = null;
        if (best != null) {
            pb = probabilities(calibrator, spec, logits, best.temperature());
            out.println();
            out.println("Best temperature on this data (fitted on it, so its figures are optimistic; not used above):");
            out.printf(Locale.ROOT, "  T = %.4f minimises NLL: %.4f (%.4f at the current T); ECE %.4f, MAE %.4f%n",
                    best.temperature(), best.nllAfter(), atCurrent.get(Metric.NLL).value(),
                    metrics.compute(Metric.ECE, pb, truth, bins), metrics.compute(Metric.MAE, pb, truth, bins));
            out.printf(Locale.ROOT, "  To apply it: tempered calibrate --model %s %s%n", spec.ref().id(), data.repeat());
        }

        Files.createDirectories(report);
        List<String> written = new ArrayList<>();
        String what = spec.ref() + " on " + data.data.getFileName() + " (" + truth.length + " rows)";
        for (String ext : List.of("png", "svg")) {
            charts.reliability(p1, truth, bins, what + ", T = 1", report.resolve("reliability-T1." + ext));
            charts.reliability(pc, truth, bins, String.format(Locale.ROOT, "%s, T = %.3f (%s)", what, current,
                    currentSource), report.resolve("reliability-current." + ext));
            if (pb != null) {
                charts.reliability(pb, truth, bins, String.format(Locale.ROOT, "%s, T = %.3f (best on this data)",
                        what, best.temperature()), report.resolve("reliability-best." + ext));
            }
            for (Metric m : List.of(Metric.NLL, Metric.ECE, Metric.MAE)) {
                double lo = Math.min(0.25, current / 2);
                double hi = Math.max(8, current * 2);
                Map<String, LabelledLogits> curves = new LinkedHashMap<>();
                if (loaded.validation().isPresent()) {
                    curves.put("validation (" + loaded.validation().get().size() + " rows)", loaded.validation().get());
                    curves.put("test (" + logits.size() + " rows)", logits);
                } else {
                    curves.put(data.data.getFileName().toString(), logits);
                }
                charts.sweep(curves, m, bins, lo, hi, current,
                        spec.ref() + ": " + label(m) + " against T",
                        report.resolve("sweep-" + m.name().toLowerCase(Locale.ROOT) + "." + ext));
            }
        }
        written.add("reliability-T1, reliability-current" + (pb != null ? ", reliability-best" : "")
                + ", sweep-nll, sweep-ece, sweep-mae (.png and .svg)");
        writeMetrics(report.resolve("metrics.csv"), at1, atCurrent, current, best);
        context.service(Workbench.class, WAIT).writeLogits(logits, report.resolve("logits.csv"));
        written.add("metrics.csv, logits.csv");
        out.println();
        out.println("Report in " + report + ": " + String.join("; ", written));
        return OK;
    }

    static String cell(MetricValue v) {
        if (v.lower() == v.value() && v.upper() == v.value()) {
            return String.format(Locale.ROOT, "%.4f", v.value());
        }
        return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", v.value(), v.lower(), v.upper());
    }

    static String label(Metric m) {
        return switch (m) {
            case ACCURACY -> "accuracy";
            case NLL -> "NLL";
            case BRIER -> "Brier";
            case ECE -> "ECE";
            case ECE_EQUAL_MASS -> "ECE equal-mass";
            case MCE -> "MCE";
            case CLASSWISE_ECE -> "classwise ECE";
            case MAE -> "MAE";
        };
    }

    /** metrics.csv: one row per temperature and metric, written by Jackson's CSV module. */
    private static void writeMetrics(Path file, Map<Metric, MetricValue> at1, Map<Metric, MetricValue> atCurrent,
            double current, TemperatureFit best) throws IOException {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[] {"temperature", "metric", "value", "lower", "upper"});
        for (Metric m : ORDER) {
            for (var e : List.of(Map.entry(1.0, at1), Map.entry(current, atCurrent))) {
                MetricValue v = e.getValue().get(m);
                rows.add(new Object[] {e.getKey(), m.name(), v.value(), v.lower(), v.upper()});
            }
        }
        if (best != null) {
            rows.add(new Object[] {best.temperature(), "NLL_BEST_ON_THIS_DATA", best.nllAfter(), best.nllAfter(),
                best.nllAfter()});
        }
        ReportFiles.replace(file, tmp -> {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                    SequenceWriter csv = CSV.writerFor(Object[].class).writeValues(w)) {
                for (Object[] row : rows) {
                    csv.write(row);
                }
            }
        });
    }

    /** The model's calibrated probabilities ({@code MEMBER_T}) at a temperature, through the Calibrator service. */
    static double[][] probabilities(Calibrator calibrator, ModelSpec spec, LabelledLogits data, double t) {
        double[][][] z = data.logits();
        int members = z[0].length;
        int classes = z[0][0].length;
        float[] flat = new float[z.length * members * classes];
        for (int i = 0, k = 0; i < z.length; i++) {
            for (int m = 0; m < members; m++) {
                for (int c = 0; c < classes; c++) {
                    flat[k++] = (float) z[i][m][c];
                }
            }
        }
        EnsembleOutput output = new EnsembleOutput(spec.ref(), z.length, members, classes, flat);
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = calibrator.apply(output, i, spec.labels(), spec.defaultTemperature(), t).probabilities();
        }
        return p;
    }

}
