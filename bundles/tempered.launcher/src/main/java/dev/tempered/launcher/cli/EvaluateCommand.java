package dev.tempered.launcher.cli;

import com.fasterxml.jackson.databind.SequenceWriter;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code tempered evaluate}: accuracy and calibration of a model on labelled data, at T = 1 and at the model's
 * current temperature, with bootstrap intervals, plus reliability diagrams and temperature sweeps.
 */
public final class EvaluateCommand implements Subcommand {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String TASK = "genre";
    private static final List<Metric> ORDER = List.of(Metric.ACCURACY, Metric.NLL, Metric.BRIER, Metric.ECE,
            Metric.ECE_EQUAL_MASS, Metric.MCE, Metric.CLASSWISE_ECE, Metric.MAE);

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "measure accuracy and calibration (ECE, MAE, NLL) on labelled data";
    }

    @Override
    public String usage() {
        return """
                Usage: tempered evaluate [--model ID] --data FILE|DIR [--labels-from folders|tags] [--report DIR] [options]

                Measures a model on labelled data at T = 1 and at the model's current temperature
                (configured, else the package default; never fitted on this data), each metric with a
                percentile bootstrap interval. Then reports, separately, the temperature that would have
                been best on this data, and writes reliability diagrams and temperature sweeps.

                FILE is either
                  labelled logits: CSV with header  file,label,m0_<class>,...,m<M-1>_<class>
                    (label = class name; one column per member and class, member-major), or
                  descriptors: CSV with a filename column, a label column and the model's input
                    features by name (e.g. GTZAN features_30_sec.csv), for a model whose front end
                    is a descriptor vector; the model is run on them.
                  convnet features: CSV with a filename column, a label column and the package's
                    embedding columns by name (layer1_00 ... layer5_31 for choi-gtzan); the package's
                    heads are run on them.
                  a folder of your own music with --labels-from folders|tags: every file is analysed
                    (through the library index, writing nothing) and labelled by its folder name or its
                    existing genre tag, mapped onto the model's labels (--labels-map FILE: 'name = label'
                    lines); one row per analysis window.
                Rows whose file name the package lists as training or validation data (its
                provenance trainFiles / validationFiles) are skipped, so figures are not optimistic.

                Options:
                  --model ID        an installed model (default: the active genre model)
                  --report DIR      where diagrams, metrics.csv and logits.csv go (default ./tempered-report)
                  --bins N          equal-width bins for ECE, MCE, MAE and the diagrams (default 15)
                  --resamples N     bootstrap resamples (default 1000; 0 for none)
                  --seed N          bootstrap seed (default 1)
                  --all-rows        keep rows the package trained or fitted on (figures are then optimistic)
                  --labels-from S   folders or tags: --data is a folder of music labelled this way
                  --labels-map FILE lines 'name = label' mapping your genre names onto the model's

                Metrics: accuracy; NLL (nats); Brier; ECE over equal-width and equal-mass bins; MCE;
                classwise ECE; MAE = unweighted mean |accuracy - confidence| over non-empty bins
                (the reliability-diagram error of Lukashevich et al. 2023).
                Example: tempered evaluate --data features_30_sec.csv --report report/""";
    }

    @Override
    public int run(List<String> args, CliContext context) throws Exception {
        Options o = Options.parse(args, false);
        Path report = o.report == null ? Path.of("tempered-report") : o.report;
        PrintStream out = context.out();
        ModelRepository repository = context.service(ModelRepository.class, WAIT);
        Calibrator calibrator = context.service(Calibrator.class, WAIT);
        CalibrationMetrics metrics = context.service(CalibrationMetrics.class, WAIT);
        CalibrationCharts charts = context.service(CalibrationCharts.class, WAIT);

        ModelSpec spec = resolve(repository, o.model);
        Loaded data = Loaded.load(o, spec, context);
        double current = calibrator.temperature(spec.ref(), spec.defaultTemperature());
        String currentSource = current == spec.defaultTemperature() ? "package default" : "configured";
        out.printf(Locale.ROOT, "%s on %s%n", spec.ref(), o.data.getFileName());
        out.println("  " + data.describe());
        out.printf(Locale.ROOT, "  %d member distribution%s per row, %d classes, %d bins, %s%n%n",
                data.logits.logits()[0].length, data.logits.logits()[0].length == 1 ? "" : "s",
                spec.labels().size(), o.bins, o.resamples == 0 ? "no bootstrap"
                        : o.resamples + " bootstrap resamples, 95% percentile intervals, seed " + o.seed);

        double[][] p1 = probabilities(calibrator, spec, data.logits, 1.0);
        double[][] pc = probabilities(calibrator, spec, data.logits, current);
        int[] truth = data.logits.truth();
        Map<Metric, MetricValue> at1 = metrics.evaluate(p1, truth, o.bins, o.resamples, 0.95, o.seed);
        Map<Metric, MetricValue> atCurrent = metrics.evaluate(pc, truth, o.bins, o.resamples, 0.95, o.seed);
        String h1 = "T = 1";
        String hc = String.format(Locale.ROOT, "T = %.4f (%s)", current, currentSource);
        // After a tempered calibrate: the temperature it replaced, side by side with the new one.
        double previous = previousTemperature(context.home(), spec, current);
        Map<Metric, MetricValue> atPrevious = Double.isNaN(previous) ? null : metrics.evaluate(
                probabilities(calibrator, spec, data.logits, previous), truth, o.bins, o.resamples, 0.95, o.seed);
        String hp = atPrevious == null ? "" : String.format(Locale.ROOT, "T = %.4f (before calibrate)", previous);
        out.printf(Locale.ROOT, "%-16s %-26s %-30s %s%n", "metric", h1, hp, hc);
        for (Metric m : ORDER) {
            out.printf(Locale.ROOT, "%-16s %-26s %-30s %s%n", label(m), cell(at1.get(m)),
                    atPrevious == null ? "" : cell(atPrevious.get(m)), cell(atCurrent.get(m)));
        }

        TemperatureFit best;
        try {
            best = calibrator.fit(data.logits, CalibrationMethod.MEMBER_T);
        } catch (CalibrationException e) {
            out.println();
            out.println("No best temperature: " + e.getMessage());
            best = null;
        }
        double[][] pb = null;
        if (best != null) {
            pb = probabilities(calibrator, spec, data.logits, best.temperature());
            out.println();
            out.println("Best temperature on this data (fitted on it, so its figures are optimistic; not used above):");
            out.printf(Locale.ROOT, "  T = %.4f minimises NLL: %.4f (%.4f at the current T); ECE %.4f, MAE %.4f%n",
                    best.temperature(), best.nllAfter(), atCurrent.get(Metric.NLL).value(),
                    metrics.compute(Metric.ECE, pb, truth, o.bins), metrics.compute(Metric.MAE, pb, truth, o.bins));
            out.printf(Locale.ROOT, "  To apply it: tempered calibrate --model %s --data %s%s%n", spec.ref().id(), o.data,
                    o.labelsFrom == null ? "" : " --labels-from " + o.labelsFrom.name().toLowerCase(Locale.ROOT)
                            + (o.labelsMap == null ? "" : " --labels-map " + o.labelsMap));
        }

        Files.createDirectories(report);
        List<String> written = new ArrayList<>();
        String what = spec.ref() + " on " + o.data.getFileName() + " (" + truth.length + " rows)";
        for (String ext : List.of("png", "svg")) {
            charts.reliability(p1, truth, o.bins, what + ", T = 1", report.resolve("reliability-T1." + ext));
            charts.reliability(pc, truth, o.bins, String.format(Locale.ROOT, "%s, T = %.3f (%s)", what, current,
                    currentSource), report.resolve("reliability-current." + ext));
            if (pb != null) {
                charts.reliability(pb, truth, o.bins, String.format(Locale.ROOT, "%s, T = %.3f (best on this data)",
                        what, best.temperature()), report.resolve("reliability-best." + ext));
            }
            for (Metric m : List.of(Metric.NLL, Metric.ECE, Metric.MAE)) {
                double lo = Math.min(0.25, current / 2);
                double hi = Math.max(8, current * 2);
                Map<String, LabelledLogits> curves = new LinkedHashMap<>();
                if (data.validation != null) {
                    curves.put("validation (" + data.validation.size() + " rows)", data.validation);
                    curves.put("test (" + data.logits.size() + " rows)", data.logits);
                } else {
                    curves.put(o.data.getFileName().toString(), data.logits);
                }
                charts.sweep(curves, m, o.bins, lo, hi, current,
                        spec.ref() + ": " + label(m) + " against T",
                        report.resolve("sweep-" + m.name().toLowerCase(Locale.ROOT) + "." + ext));
            }
        }
        written.add("reliability-T1, reliability-current" + (pb != null ? ", reliability-best" : "")
                + ", sweep-nll, sweep-ece, sweep-mae (.png and .svg)");
        writeMetrics(report.resolve("metrics.csv"), at1, atCurrent, current, best);
        data.writeLogits(report.resolve("logits.csv"));
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

    private static void writeMetrics(Path file, Map<Metric, MetricValue> at1, Map<Metric, MetricValue> atCurrent,
            double current, TemperatureFit best) throws IOException {
        StringBuilder sb = new StringBuilder("temperature,metric,value,lower,upper\n");
        for (Metric m : ORDER) {
            for (var e : List.of(Map.entry(1.0, at1), Map.entry(current, atCurrent))) {
                MetricValue v = e.getValue().get(m);
                sb.append(String.format(Locale.ROOT, "%.6f,%s,%.6f,%.6f,%.6f%n", e.getKey(), m, v.value(), v.lower(),
                        v.upper()));
            }
        }
        if (best != null) {
            sb.append(String.format(Locale.ROOT, "%.6f,NLL_BEST_ON_THIS_DATA,%.6f,%.6f,%.6f%n", best.temperature(),
                    best.nllAfter(), best.nllAfter(), best.nllAfter()));
        }
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
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

    /** The named model (highest installed version), or the active genre model. */
    /**
     * The temperature the last {@code tempered calibrate} replaced, when the model's calibration file records one
     * and the current T is still the one that calibrate wrote; else NaN.
     */
    static double previousTemperature(Path home, ModelSpec spec, double current) {
        Path file = dev.tempered.api.calibration.CalibrationFiles.file(home.resolve("deploy").resolve("config"),
                spec.ref().id());
        try {
            if (!Files.isRegularFile(file)) {
                return Double.NaN;
            }
            Map<String, String> props = dev.tempered.api.calibration.CalibrationFiles.read(
                    Files.readString(file, StandardCharsets.UTF_8));
            double previous = Double.parseDouble(props.getOrDefault(CalibrateCommand.PREVIOUS, "NaN"));
            double written = Double.parseDouble(props.getOrDefault("temperature", "NaN"));
            boolean stillOurs = Math.abs(written - current) <= 1e-5 * Math.max(1, current);
            return stillOurs && previous > 0 && Math.abs(previous - current) > 1e-9 ? previous : Double.NaN;
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
    }

    static ModelSpec resolve(ModelRepository repository, String id) throws UsageException {
        if (id == null) {
            return repository.active(TASK).orElseThrow(() -> new UsageException(
                    "no active " + TASK + " model: install one or name it with --model ID"));
        }
        try (ModelLease lease = repository.lease(id, null)) {
            return lease.model().spec();
        } catch (InferenceException e) {
            List<String> ids = repository.installed().stream().map(s -> s.ref().toString()).toList();
            throw new UsageException("model '" + id + "' is not installed (installed: "
                    + (ids.isEmpty() ? "none" : String.join(", ", ids)) + ")");
        }
    }

    /** Parsed options shared by evaluate and calibrate. */
    static final class Options {
        String model;
        Path data;
        Path report;
        int bins = 15;
        int resamples = 1000;
        long seed = 1;
        boolean allRows;
        String method = "member";
        boolean dryRun;
        /** With a source, --data is a folder of the user's music labelled by its folder names or genre tags. */
        LabelSource labelsFrom;
        Path labelsMap;

        static Options parse(List<String> args, boolean calibrate) throws UsageException {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--model" -> o.model = value(args, ++i, a);
                    case "--data" -> o.data = Path.of(value(args, ++i, a));
                    case "--all-rows" -> o.allRows = true;
                    case "--labels-from" -> {
                        String v = value(args, ++i, a);
                        o.labelsFrom = switch (v) {
                            case "folders" -> LabelSource.FOLDERS;
                            case "tags" -> LabelSource.TAGS;
                            default -> throw new UsageException("--labels-from must be folders or tags, not '" + v
                                    + "'");
                        };
                    }
                    case "--labels-map" -> o.labelsMap = Path.of(value(args, ++i, a));
                    default -> {
                        if (!calibrate && a.equals("--report")) {
                            o.report = Path.of(value(args, ++i, a));
                        } else if (!calibrate && a.equals("--bins")) {
                            o.bins = positive(value(args, ++i, a), a, 1);
                        } else if (!calibrate && a.equals("--resamples")) {
                            o.resamples = positive(value(args, ++i, a), a, 0);
                        } else if (!calibrate && a.equals("--seed")) {
                            try {
                                o.seed = Long.parseLong(value(args, ++i, a));
                            } catch (NumberFormatException e) {
                                throw new UsageException("--seed needs an integer");
                            }
                        } else if (calibrate && a.equals("--method")) {
                            o.method = value(args, ++i, a);
                            if (!List.of("member", "pooled", "per-member", "vector").contains(o.method)) {
                                throw new UsageException("--method must be member, pooled, per-member or vector, not '"
                                        + o.method + "'");
                            }
                        } else if (calibrate && a.equals("--dry-run")) {
                            o.dryRun = true;
                        } else {
                            throw new UsageException("unknown argument " + a);
                        }
                    }
                }
            }
            if (o.data == null) {
                throw new UsageException("--data FILE is required (or --data DIR with --labels-from folders|tags)");
            }
            if (o.labelsFrom != null) {
                if (!Files.isDirectory(o.data)) {
                    throw new UsageException("--labels-from needs --data to be a folder of music, not " + o.data);
                }
            } else if (o.labelsMap != null) {
                throw new UsageException("--labels-map goes with --labels-from");
            } else if (Files.isDirectory(o.data)) {
                throw new UsageException(o.data + " is a folder: add --labels-from folders or --labels-from tags to"
                        + " take its files' true genres from their folder names or genre tags");
            } else if (!Files.isRegularFile(o.data)) {
                throw new UsageException("no such file: " + o.data);
            }
            if (o.labelsMap != null && !Files.isRegularFile(o.labelsMap)) {
                throw new UsageException("no such file: " + o.labelsMap);
            }
            return o;
        }

        private static String value(List<String> args, int i, String option) throws UsageException {
            if (i >= args.size() || args.get(i).startsWith("--")) {
                throw new UsageException(option + " needs a value");
            }
            return args.get(i);
        }

        private static int positive(String s, String option, int min) throws UsageException {
            try {
                int v = Integer.parseInt(s);
                if (v >= min) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(option + " needs an integer >= " + min + ", not '" + s + "'");
        }
    }

    /**
     * Labelled logits read from a logits CSV, or computed by running the model on a descriptor CSV, with the
     * rows the package trained or fitted on left out.
     */
    static class Loaded {
        static final int BATCH = 64;
        final LabelledLogits logits;
        final int read;
        final int skippedTrain;
        final int skippedValidation;
        final boolean ranModel;
        /** The package's own validation rows of the same file, when it has them: drawn beside the test rows. */
        LabelledLogits validation;

        private Loaded(LabelledLogits logits, int read, int skippedTrain, int skippedValidation, boolean ranModel) {
            this.logits = logits;
            this.read = read;
            this.skippedTrain = skippedTrain;
            this.skippedValidation = skippedValidation;
            this.ranModel = ranModel;
        }

        String describe() {
            String s = String.format(Locale.ROOT, "%d of %d rows used", logits.size(), read);
            if (skippedTrain + skippedValidation > 0) {
                s += String.format(Locale.ROOT, "; skipped %d the package trained on and %d it fitted its "
                        + "temperature on", skippedTrain, skippedValidation);
            }
            return s + (ranModel ? "; logits computed by running the model on the CSV's feature columns" : "");
        }

        /**
         * The data the options name: a CSV, or the user's own music under a folder with labels from its folder
         * names or genre tags, analysed through the library index (nothing is written to the files).
         */
        static Loaded load(Options o, ModelSpec spec, CliContext context) throws Exception {
            if (o.labelsFrom == null) {
                return load(o.data, spec, context.service(ModelRepository.class, WAIT), context.services(FrontEnd.class),
                        o.allRows);
            }
            CollectionTagger tagger = context.service(CollectionTagger.class, WAIT);
            TagJobConsole.Console console = new TagJobConsole.Console(context.err(), context.interactive());
            LabelledLogits logits;
            try {
                logits = tagger.labelled(List.of(o.data), spec.ref().id(), o.labelsFrom, o.labelsMap, console);
            } catch (TemperedException e) {
                throw new UsageException(e.getMessage());
            } finally {
                console.clear();
            }
            long files = logits.rowNames().stream().distinct().count();
            return new Loaded(logits, logits.size(), 0, 0, true) {
                @Override
                String describe() {
                    return String.format(Locale.ROOT, "%d analysis windows of %d files labelled by their %s",
                            logits.size(), files, o.labelsFrom == LabelSource.FOLDERS ? "folder names" : "genre tags");
                }
            };
        }

        static Loaded load(Path file, ModelSpec spec, ModelRepository repository, Collection<FrontEnd> frontEnds,
                boolean allRows) throws IOException, UsageException, InferenceException {
            Table table = Table.read(file);
            String[] header = table.header();
            List<String[]> rows = table.rows();
            for (int i = 0; i < rows.size(); i++) {
                if (rows.get(i).length != header.length) {
                    throw new UsageException(file + " line " + table.lines().get(i) + ": " + rows.get(i).length
                            + " fields, header has " + header.length);
                }
            }
            Set<String> train = allRows ? Set.of() : names(spec.provenance().get("trainFiles"));
            Set<String> validation = allRows ? Set.of() : names(spec.provenance().get("validationFiles"));
            boolean logitCsv = false;
            for (String h : header) {
                logitCsv |= h.matches("m\\d+_.+");
            }
            Loaded loaded = logitCsv ? fromLogits(file, header, rows, spec, train, validation)
                    : fromDescriptors(file, header, rows, spec, repository, frontEnds, train, validation);
            if (loaded.logits.size() == 0) {
                throw new UsageException(file + ": no rows left (" + rows.size() + " read, " + loaded.skippedTrain
                        + " used for training and " + loaded.skippedValidation + " for fitting the temperature "
                        + "skipped; --all-rows keeps them)");
            }
            if (loaded.skippedValidation > 0) {
                // The package's own data: its validation rows give the second curve of the sweeps (the paper's
                // point: the T best on validation is not the T best on test).
                int nameCol = column(header, file, "filename", "file");
                List<String[]> onlyValidation = rows.stream().filter(r -> {
                    String name = r[nameCol].trim();
                    String base = Path.of(name).getFileName() == null ? name : Path.of(name).getFileName().toString();
                    return validation.contains(name) || validation.contains(base);
                }).toList();
                loaded.validation = (logitCsv ? fromLogits(file, header, onlyValidation, spec, Set.of(), Set.of())
                        : fromDescriptors(file, header, onlyValidation, spec, repository, frontEnds, Set.of(),
                                Set.of())).logits;
            }
            return loaded;
        }

        private static Set<String> names(Object list) {
            Set<String> out = new HashSet<>();
            if (list instanceof Collection<?> c) {
                for (Object o : c) {
                    out.add(String.valueOf(o));
                }
            }
            return out;
        }

        private static int column(String[] header, Path file, String... names) throws UsageException {
            for (String n : names) {
                for (int i = 0; i < header.length; i++) {
                    if (header[i].trim().equalsIgnoreCase(n)) {
                        return i;
                    }
                }
            }
            throw new UsageException(file + ": no '" + names[0] + "' column");
        }

        private static int truth(String label, ModelSpec spec, Path file, int line) throws UsageException {
            int y = spec.labels().indexOf(label.trim());
            if (y < 0) {
                throw new UsageException(file + " line " + line + ": label '" + label + "' is not one of "
                        + spec.ref() + "'s labels " + spec.labels());
            }
            return y;
        }

        private static Loaded fromLogits(Path file, String[] header, List<String[]> rows, ModelSpec spec,
                Set<String> train, Set<String> validation) throws UsageException {
            int fileCol = column(header, file, "file", "filename");
            int labelCol = column(header, file, "label");
            List<Integer> cols = new ArrayList<>();
            int members = 0;
            List<String> classes = new ArrayList<>();
            for (int i = 0; i < header.length; i++) {
                String h = header[i].trim();
                if (h.matches("m\\d+_.+")) {
                    int us = h.indexOf('_');
                    int m = Integer.parseInt(h.substring(1, us));
                    String c = h.substring(us + 1);
                    if (m == 0) {
                        classes.add(c);
                    }
                    int expectedMember = cols.size() / Math.max(1, spec.labels().size());
                    if (m != expectedMember) {
                        throw new UsageException(file + ": logit column " + h + " out of order; expected member "
                                + expectedMember + " (columns are member-major)");
                    }
                    members = Math.max(members, m + 1);
                    cols.add(i);
                }
            }
            if (!classes.equals(spec.labels())) {
                throw new UsageException(file + ": member 0's classes " + classes + " differ from " + spec.ref()
                        + "'s labels " + spec.labels());
            }
            if (cols.size() != members * classes.size()) {
                throw new UsageException(file + ": " + cols.size() + " logit columns, expected " + members + " x "
                        + classes.size());
            }
            List<double[][]> z = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            List<String> names = new ArrayList<>();
            int[] skipped = new int[2];
            for (int r = 0; r < rows.size(); r++) {
                String[] row = rows.get(r);
                String name = row[fileCol].trim();
                if (skip(name, train, validation, skipped)) {
                    continue;
                }
                double[][] logits = new double[members][classes.size()];
                for (int k = 0; k < cols.size(); k++) {
                    try {
                        logits[k / classes.size()][k % classes.size()] = Double.parseDouble(row[cols.get(k)].trim());
                    } catch (NumberFormatException e) {
                        throw new UsageException(file + " line " + (r + 2) + ": '" + row[cols.get(k)]
                                + "' is not a number");
                    }
                }
                z.add(logits);
                y.add(truth(row[labelCol], spec, file, r + 2));
                names.add(name);
            }
            return new Loaded(new LabelledLogits(spec.labels(), z.toArray(new double[0][][]),
                    y.stream().mapToInt(Integer::intValue).toArray(), names), rows.size(), skipped[0], skipped[1],
                    false);
        }

        private static boolean skip(String name, Set<String> train, Set<String> validation, int[] skipped) {
            String base = Path.of(name).getFileName() == null ? name : Path.of(name).getFileName().toString();
            if (train.contains(name) || train.contains(base)) {
                skipped[0]++;
                return true;
            }
            if (validation.contains(name) || validation.contains(base)) {
                skipped[1]++;
                return true;
            }
            return false;
        }

        private static Loaded fromDescriptors(Path file, String[] header, List<String[]> rows, ModelSpec spec,
                ModelRepository repository, Collection<FrontEnd> frontEnds, Set<String> train,
                Set<String> validation) throws UsageException, InferenceException {
            // One lease for the whole CSV: for a model that is not active each lease opens (and verifies) a session.
            try (ModelLease lease = repository.lease(spec.ref().id(), spec.ref().version())) {
                return fromDescriptors(file, header, rows, spec, lease.model(), frontEnds, train, validation);
            }
        }

        private static Loaded fromDescriptors(Path file, String[] header, List<String[]> rows, ModelSpec spec,
                EnsembleModel model, Collection<FrontEnd> frontEnds, Set<String> train,
                Set<String> validation) throws UsageException, InferenceException {
            int fileCol = column(header, file, "filename", "file");
            int labelCol = column(header, file, "label");
            int inputSize = spec.inputShape().isEmpty() ? -1
                    : spec.inputShape().get(spec.inputShape().size() - 1).intValue();
            List<Integer> featureCols = new ArrayList<>();
            FrontEnd frontEnd = frontEnds.stream().filter(f -> f.type().equals(spec.frontEnd())).findFirst()
                    .orElse(null);
            List<String> embeddingNames = model.embeddingNames();
            // A convnet package reads audio, but its heads also take the embedding a feature CSV holds.
            boolean embeddings = !embeddingNames.isEmpty()
                    && List.of(header).stream().map(String::trim).anyMatch(h -> h.equals(embeddingNames.get(0)));
            if (embeddings) {
                for (String n : embeddingNames) {
                    featureCols.add(column(header, file, n));
                }
                inputSize = embeddingNames.size();
            } else if (frontEnd != null) {
                for (String n : frontEnd.featureNames()) {
                    featureCols.add(column(header, file, n));
                }
            } else if (spec.frontEnd().contains("descriptor")) {
                // No front-end service to name the features: take every column but the bookkeeping ones, in order.
                for (int i = 0; i < header.length; i++) {
                    String h = header[i].trim().toLowerCase(Locale.ROOT);
                    if (i != fileCol && i != labelCol && !h.equals("length")) {
                        featureCols.add(i);
                    }
                }
            } else {
                throw new UsageException(file + " has no logit columns (m0_<class>, ...), and " + spec.ref()
                        + " takes '" + spec.frontEnd() + "' input, not a descriptor vector: give labelled logits");
            }
            if (inputSize > 0 && featureCols.size() != inputSize) {
                throw new UsageException(file + ": " + featureCols.size() + " feature columns but " + spec.ref()
                        + " takes " + inputSize + " inputs");
            }
            List<float[]> x = new ArrayList<>();
            List<Integer> y = new ArrayList<>();
            List<String> names = new ArrayList<>();
            int[] skipped = new int[2];
            for (int r = 0; r < rows.size(); r++) {
                String[] row = rows.get(r);
                String name = row[fileCol].trim();
                if (skip(name, train, validation, skipped)) {
                    continue;
                }
                float[] v = new float[featureCols.size()];
                for (int k = 0; k < v.length; k++) {
                    try {
                        v[k] = Float.parseFloat(row[featureCols.get(k)].trim());
                    } catch (NumberFormatException e) {
                        throw new UsageException(file + " line " + (r + 2) + ": '" + row[featureCols.get(k)]
                                + "' in column " + header[featureCols.get(k)] + " is not a number");
                    }
                }
                x.add(v);
                y.add(truth(row[labelCol], spec, file, r + 2));
                names.add(name);
            }
            double[][][] z = new double[x.size()][][];
            for (int from = 0; from < x.size(); from += BATCH) {
                int to = Math.min(x.size(), from + BATCH);
                float[][] batch = x.subList(from, to).toArray(new float[0][]);
                EnsembleOutput out = embeddings ? model.runEmbeddings(batch) : model.run(batch);
                for (int i = from; i < to; i++) {
                    z[i] = out.row(i - from);
                }
            }
            return new Loaded(new LabelledLogits(spec.labels(), z, y.stream().mapToInt(Integer::intValue).toArray(),
                    names), rows.size(), skipped[0], skipped[1], true);
        }

        /** Writes the logits in this command's logits CSV format, so a later run needs no model. */
        void writeLogits(Path file) throws IOException {
            double[][][] z = logits.logits();
            int[] y = logits.truth();
            List<String> labels = logits.labels();
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
                    SequenceWriter csv = Table.CSV.writerFor(String[].class).writeValues(w)) {
                List<String> h = new ArrayList<>(List.of("file", "label"));
                for (int m = 0; m < z[0].length; m++) {
                    for (String c : labels) {
                        h.add("m" + m + "_" + c);
                    }
                }
                csv.write(h.toArray(String[]::new));
                for (int i = 0; i < z.length; i++) {
                    List<String> row = new ArrayList<>(List.of(logits.rowNames().get(i), labels.get(y[i])));
                    for (double[] member : z[i]) {
                        for (double v : member) {
                            row.add(Double.toString(v));
                        }
                    }
                    csv.write(row.toArray(String[]::new));
                }
            }
        }

    }
}
