package dev.tempered.launcher.cli;

import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.TemperedException;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.workbench.LabelledData;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tempered calibrate}: fits a model's temperature on labelled data and writes it as the model's
 * calibration configuration, which the running application applies without restart.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"fit a model's temperature on labelled data and apply it", "",
            "Fits the temperature T that minimises the mean negative log-likelihood of the true labels on the",
            "data, and stores it as the model's calibration ($TEMPERED_HOME/deploy/config/",
            "dev.tempered.calibration-ID.cfg), which the running application applies without restart (other",
            "settings in that file, such as min.confidence, are kept). The data is as for `tempered evaluate`",
            "(see its --help); rows the package trained or fitted on are skipped.", "",
            "Fit the temperature on data like the music you will tag: the temperature that is optimal on the",
            "package's validation data is often not optimal on other collections. Check the result with",
            "`tempered evaluate` on data you did not calibrate on.", "",
            "Example: tempered calibrate --model gtzan-mlp --data my-labelled-logits.csv",
            "         tempered calibrate --data ~/Music --labels-from folders"})
public final class CalibrateCommand implements TemperedCommand {
    /** How long to wait for the application to report the new temperature (FileInstall polls every 2 s). */
    static final long APPLY_WAIT_MILLIS = 6000;
    /** Tests shorten the wait. */
    long applyWaitMillis = APPLY_WAIT_MILLIS;

    @Mixin
    LabelledDataOptions data = new LabelledDataOptions();

    @Option(names = "--method", paramLabel = "METHOD", description = {
        "member (default): one T divides every member's logits before their softmax outputs are",
        "averaged; this is what the application applies. pooled, per-member, vector: fitted and",
        "reported for comparison only; nothing is written for them. pooled: one T on the log of the",
        "members' averaged probabilities; per-member: one T per member; vector: one temperature and",
        "one bias per class on the averaged log-probabilities (for 10 classes 20 parameters)"})
    String method = "member";

    @Option(names = "--dry-run", description = "fit and report, write nothing")
    boolean dryRun;

    @Override
    public int run(CliContext context) throws Exception {
        PrintStream out = context.out();
        ModelRepository repository = context.service(ModelRepository.class, EvaluateCommand.WAIT);
        Calibrator calibrator = context.service(Calibrator.class, EvaluateCommand.WAIT);
        CalibrationMetrics metrics = context.service(CalibrationMetrics.class, EvaluateCommand.WAIT);
        CalibrationMethod method = switch (this.method) {
            case "member" -> CalibrationMethod.MEMBER_T;
            case "pooled" -> CalibrationMethod.POOLED_T;
            case "per-member" -> CalibrationMethod.PER_MEMBER_T;
            case "vector" -> CalibrationMethod.VECTOR_SCALING;
            default -> throw new UsageException("--method must be member, pooled, per-member or vector, not '"
                    + this.method + "'");
        };
        ModelSpec spec = data.spec(repository);
        LabelledData loaded = data.load(context, spec, false);
        LabelledLogits logits = loaded.logits();
        double current = calibrator.temperature(spec.ref(), spec.defaultTemperature());
        out.printf(Locale.ROOT, "%s on %s%n  %s%n", spec.ref(), data.data.getFileName(), loaded.description());
        TemperatureFit fit;
        try {
            fit = calibrator.fit(logits, method);
        } catch (CalibrationException e) {
            context.err().println("tempered calibrate: cannot fit on " + data.data + ": " + e.getMessage());
            return USAGE;
        }
        int[] truth = logits.truth();
        double nllCurrent = metrics.compute(Metric.NLL,
                calibrator.probabilities(logits, current), truth, 15);
        out.printf(Locale.ROOT, "  method %s: T = %.4f%s%n", method, fit.temperature(), describe(fit, spec));
        if (!fit.warning().isEmpty()) {
            context.err().println("tempered calibrate: warning: " + fit.warning());
        }
        if (method == CalibrationMethod.VECTOR_SCALING) {
            // T_1..T_C then b_1..b_C, one of each per class (TemperatureFit's contract).
            int c = fit.parameters().size() / 2;
            out.println("  temperatures per class: " + join(fit.parameters().subList(0, c), spec));
            out.println("  biases per class:       " + join(fit.parameters().subList(c, 2 * c), spec));
        } else if (fit.parameters().size() > 1) {
            out.println("  temperatures per member: " + fit.parameters().stream()
                    .map(v -> String.format(Locale.ROOT, "%.4f", v)).collect(Collectors.joining(", ")));
        }
        out.printf(Locale.ROOT, "  mean NLL: %.4f at T = 1, %.4f at the current T = %.4f, %.4f fitted%n",
                fit.nllBefore(), nllCurrent, current, fit.nllAfter());
        if (method != CalibrationMethod.MEMBER_T) {
            out.println("Not written: the application applies one temperature to every member (--method member);"
                    + " the other methods are for comparison.");
            return OK;
        }
        if (dryRun) {
            out.println("Not written (--dry-run).");
            return OK;
        }
        String fittedOn = String.format(Locale.ROOT, "%s, %d rows, NLL %.4f at T=1 -> %.4f", data.data.getFileName(),
                fit.samples(), fit.nllBefore(), fit.nllAfter());
        // The calibration store writes the model's configuration (and its deploy/config file) and records the T
        // it replaced; the calibrator applies it shortly after.
        TemperatureSettings settings = context.service(TemperatureSettings.class, EvaluateCommand.WAIT);
        try {
            settings.setTemperature(spec.ref(), fit.temperature(), fittedOn);
        } catch (TemperedException e) {
            context.err().println("tempered calibrate: " + e.getMessage());
            return USAGE;
        }
        out.printf(Locale.ROOT, "Stored T = %.4f as %s's calibration (%s)%n", fit.temperature(), spec.ref().id(),
                context.home().resolve("deploy").resolve("config")
                        .resolve("dev.tempered.calibration-" + spec.ref().id() + ".cfg"));
        double applied = waitForApplied(calibrator, spec, fit.temperature(), applyWaitMillis);
        if (Math.abs(applied - fit.temperature()) <= 1e-6 * fit.temperature()) {
            out.printf(Locale.ROOT, "Applied: %s now uses T = %.4f%n", spec.ref().id(), applied);
        } else {
            out.printf(Locale.ROOT, "The application still reports T = %.4f for %s; it applies the new value when its "
                    + "configuration is next delivered (or when it starts).%n", applied, spec.ref());
        }
        return OK;
    }

    private static String describe(TemperatureFit fit, ModelSpec spec) {
        int n = fit.parameters().size();
        if (fit.method() == CalibrationMethod.VECTOR_SCALING) {
            return String.format(Locale.ROOT, " (geometric mean of the %d per-class temperatures; %d parameters: "
                    + "%d temperatures and %d biases)", n / 2, n, n / 2, n / 2);
        }
        return n > 1 ? " (geometric mean of the " + n + " per-member temperatures)" : "";
    }

    private static String join(List<Double> values, ModelSpec spec) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            String label = i < spec.labels().size() ? spec.labels().get(i) : Integer.toString(i);
            sb.append(i == 0 ? "" : ", ").append(label).append(String.format(Locale.ROOT, " %.4f", values.get(i)));
        }
        return sb.toString();
    }

    static double waitForApplied(Calibrator calibrator, ModelSpec spec, double t, long millis)
            throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        double now = calibrator.temperature(spec.ref(), spec.defaultTemperature());
        while (Math.abs(now - t) > 1e-6 * t && System.nanoTime() < end) {
            Thread.sleep(200);
            now = calibrator.temperature(spec.ref(), spec.defaultTemperature());
        }
        return now;
    }
}
