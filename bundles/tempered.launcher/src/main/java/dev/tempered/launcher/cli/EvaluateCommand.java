package dev.tempered.launcher.cli;

import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.EvaluationRequest;
import dev.tempered.api.calibration.EvaluationResult;
import dev.tempered.api.calibration.Evaluator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.workbench.LabelledData;
import dev.tempered.api.workbench.Workbench;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tempered evaluate}: prints what the {@link Evaluator} service measured on labelled data loaded by the
 * {@link Workbench} service.
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

    @Mixin
    LabelledDataOptions data = new LabelledDataOptions();

    @Option(names = "--report", paramLabel = "DIR",
            description = "where diagrams, metrics.csv and logits.csv go (default ./tempered-report)")
    Path report;

    @Mixin
    MeasureOptions measure = new MeasureOptions();

    @Override
    public int run(CliContext context) throws Exception {
        measure.check();
        Path report = this.report == null ? Path.of("tempered-report") : this.report;
        PrintStream out = context.out();
        ModelRepository repository = context.service(ModelRepository.class, WAIT);
        Calibrator calibrator = context.service(Calibrator.class, WAIT);
        Evaluator evaluator = context.service(Evaluator.class, WAIT);

        ModelSpec spec = data.spec(repository);
        LabelledData loaded = data.load(context, spec, false);
        LabelledLogits logits = loaded.logits();
        double current = calibrator.temperature(spec.ref(), spec.defaultTemperature());
        String currentSource = current == spec.defaultTemperature() ? "package default" : "configured";
        // After a tempered calibrate: the temperature it replaced, side by side with the new one.
        OptionalDouble previous = context.services(TemperatureSettings.class).stream().findFirst()
                .map(settings -> settings.previousTemperature(spec.ref())).orElse(OptionalDouble.empty());
        out.printf(Locale.ROOT, "%s on %s%n", spec.ref(), data.data.getFileName());
        out.println("  " + loaded.description());
        out.printf(Locale.ROOT, "  %d member distribution%s per row, %d classes, %d bins, %s%n%n",
                logits.logits()[0].length, logits.logits()[0].length == 1 ? "" : "s",
                spec.labels().size(), measure.bins, measure.resamples == 0 ? "no bootstrap"
                        : measure.resamples + " bootstrap resamples, 95% percentile intervals, seed " + measure.seed);

        EvaluationResult r = evaluator.evaluate(new EvaluationRequest(spec.ref(), spec.defaultTemperature(), current,
                currentSource, previous, logits, loaded.validation(), data.data.getFileName().toString(), measure.bins,
                measure.resamples, measure.seed, report));
        String hp = previous.isEmpty() ? ""
                : String.format(Locale.ROOT, "T = %.4f (before calibrate)", previous.getAsDouble());
        String hc = String.format(Locale.ROOT, "T = %.4f (%s)", current, currentSource);
        out.printf(Locale.ROOT, "%-16s %-26s %-30s %s%n", "metric", "T = 1", hp, hc);
        for (Metric m : ORDER) {
            out.printf(Locale.ROOT, "%-16s %-26s %-30s %s%n", label(m), cell(r.atOne().get(m)),
                    r.atPrevious().map(p -> cell(p.get(m))).orElse(""), cell(r.atCurrent().get(m)));
        }
        out.println();
        if (r.best().isEmpty()) {
            out.println("No best temperature: " + r.noBest());
        } else {
            TemperatureFit best = r.best().get();
            out.println("Best temperature on this data (fitted on it, so its figures are optimistic; not used above):");
            out.printf(Locale.ROOT, "  T = %.4f minimises NLL: %.4f (%.4f at the current T); ECE %.4f, MAE %.4f%n",
                    best.temperature(), best.nllAfter(), r.atCurrent().get(Metric.NLL).value(), r.bestEce(),
                    r.bestMae());
            out.printf(Locale.ROOT, "  To apply it: tempered calibrate --model %s %s%n", spec.ref().id(), data.repeat());
        }
        context.service(Workbench.class, WAIT).writeLogits(logits, report.resolve("logits.csv"));
        out.println();
        out.println("Report in " + report + ": " + r.files().stream().map(f -> f.getFileName().toString())
                .filter(n -> n.endsWith(".png")).map(n -> n.replace(".png", "")).collect(Collectors.joining(", "))
                + " (.png and .svg); metrics.csv, logits.csv");
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
}
