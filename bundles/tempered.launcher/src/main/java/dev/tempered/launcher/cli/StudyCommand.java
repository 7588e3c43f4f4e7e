package dev.tempered.launcher.cli;

import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationStudy;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.StudyRequest;
import dev.tempered.api.calibration.StudyResult;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tempered study}: the paper's calibration study of a model on labelled data, through the
 * {@link CalibrationStudy} service; this command loads the logits as {@code evaluate} does and prints the result.
 */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"the calibration study of the 2023 paper on labelled data: figures, tables, HTML report", "",
            "The analysis of Lukashevich, Grollmisch and Abesser (2023) for an installed model on labelled data.",
            "The rows are split into a validation part (T is fitted on it by NLL) and a test part (only",
            "measured): the package's own split (provenance validationFiles / testFiles) when the data holds",
            "those rows, e.g. the CSV the package was trained on; otherwise per label the files in name order,",
            "first half validation, second half test. Compared: the single network (member 1), the MC-dropout",
            "variant (the installed package ID-mcd, if any) and the deep ensemble, each at T = 1 and at the",
            "validation T, with bootstrap intervals; reliability diagrams of both parts, uncalibrated and",
            "scaled; NLL, ECE and MAE against T with the validation and test curves on one plot and each",
            "optimum marked; the gap between the validation- and test-optimal T; where to apply T (member,",
            "pooled, per-member, vector); histogram binning and isotonic regression fitted on validation as",
            "baselines. The data is as for `tempered evaluate` (see its --help); no rows are skipped here.", "",
            "Example: tempered study --model fma-small --data fma_small_features.csv --report study/"})
public final class StudyCommand implements TemperedCommand {
    @Mixin
    LabelledDataOptions data = new LabelledDataOptions();

    @Option(names = "--report", paramLabel = "DIR",
            description = "where index.html, summary.md, the CSVs and figures go (default ./tempered-study)")
    Path report;

    @Mixin
    MeasureOptions measure = new MeasureOptions();

    @Override
    public int run(CliContext context) throws Exception {
        measure.check();
        Path report = this.report == null ? Path.of("tempered-study") : this.report;
        PrintStream out = context.out();
        ModelRepository repository = context.service(ModelRepository.class, EvaluateCommand.WAIT);
        Calibrator calibrator = context.service(Calibrator.class, EvaluateCommand.WAIT);
        CalibrationStudy study = context.service(CalibrationStudy.class, EvaluateCommand.WAIT);
        ModelSpec spec = data.spec(repository);
        if (spec.mcDropoutPasses() > 0) {
            throw new UsageException(spec.ref() + " is an MC-dropout variant; run the study on its deterministic "
                    + "package, which takes the variant in as ID-mcd");
        }
        Optional<ModelSpec> sibling = repository.installed().stream()
                .filter(s -> s.ref().id().equals(spec.ref().id() + "-mcd") && s.labels().equals(spec.labels()))
                .reduce((a, b) -> b);
        out.printf(Locale.ROOT, "%s on %s%s%n", spec.ref(), data.data.getFileName(),
                sibling.map(s -> ", with its MC-dropout variant " + s.ref()).orElse(", no MC-dropout variant installed"));
        LabelledLogits ensemble = data.load(context, spec, true).logits();
        Optional<LabelledLogits> mc = Optional.empty();
        if (sibling.isPresent()) {
            mc = Optional.of(data.load(context, sibling.get(), true).logits());
        }
        Set<String> validation = names(spec.provenance().get("validationFiles"));
        Set<String> test = names(spec.provenance().get("testFiles"));
        if (validation.isEmpty() || test.isEmpty()) {
            // Half a split is none: the study then states its own.
            validation = Set.of();
            test = Set.of();
        }
        StudyRequest request = new StudyRequest(spec.ref().toString(), data.data.getFileName().toString(), ensemble, mc,
                validation, test,
                spec.ref().id() + "'s own split (provenance validationFiles / testFiles"
                        + (spec.provenance().get("split") == null ? "" : ": " + spec.provenance().get("split")) + ")",
                calibrator.temperature(spec.ref(), spec.defaultTemperature()), measure.bins, measure.resamples, measure.seed);
        StudyResult result;
        try {
            result = study.run(request, report);
        } catch (CalibrationException e) {
            context.err().println("tempered study: " + e.getMessage());
            return USAGE;
        }
        out.println("  " + result.split());
        out.println();
        out.printf(Locale.ROOT, "%-28s %8s %8s %8s %16s %16s %16s%n", "test part", "T(val)", "T(test)", "accuracy",
                "NLL T=1 -> T", "ECE T=1 -> T", "MAE T=1 -> T");
        for (StudyResult.Variant v : result.variants()) {
            out.printf(Locale.ROOT, "%-28s %8.4f %8.4f %8.4f %16s %16s %16s%n", v.name(), v.validationT(), v.testT(),
                    v.uncalibrated().get(Metric.ACCURACY).value(), pair(v, Metric.NLL), pair(v, Metric.ECE),
                    pair(v, Metric.MAE));
        }
        out.println();
        out.println("Report: " + result.page() + " (summary " + result.summary().getFileName() + ", "
                + result.files().size() + " files)");
        return OK;
    }

    private static String pair(StudyResult.Variant v, Metric m) {
        return String.format(Locale.ROOT, "%.4f -> %.4f", v.uncalibrated().get(m).value(), v.scaled().get(m).value());
    }

    private static Set<String> names(Object list) {
        if (list instanceof Collection<?> c) {
            return c.stream().map(String::valueOf).collect(Collectors.toSet());
        }
        return Set.of();
    }
}
