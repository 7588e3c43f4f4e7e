package dev.tempered.calibration.internal;

import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationStudy;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.StudyRequest;
import dev.tempered.api.calibration.StudyResult;
import dev.tempered.api.calibration.TemperatureFit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.osgi.service.component.annotations.Component;

/**
 * The paper's study over labelled logits, with this bundle's fitter, metrics and charts. Every T is fitted by
 * NLL with {@link CalibrationMethod#MEMBER_T} on the validation part; the test part is only measured.
 */
@Component(service = CalibrationStudy.class)
public final class Study implements CalibrationStudy {
    private static final List<Metric> SWEPT = List.of(Metric.NLL, Metric.ECE, Metric.MAE);
    private static final List<Metric> TABLE = List.of(Metric.ACCURACY, Metric.NLL, Metric.ECE, Metric.MAE);
    private final Metrics metrics = new Metrics();
    private final Charts charts = new Charts();

    /** A variant's two parts. */
    record Parts(LabelledLogits validation, LabelledLogits test) {
        Parts member(int m) {
            return new Parts(slice(validation, m), slice(test, m));
        }

        private static LabelledLogits slice(LabelledLogits d, int m) {
            double[][][] z = d.logits();
            double[][][] out = new double[z.length][1][];
            for (int i = 0; i < z.length; i++) {
                out[i][0] = z[i][m];
            }
            return new LabelledLogits(d.labels(), out, d.truth(), d.rowNames());
        }
    }

    @Override
    public StudyResult run(StudyRequest request, Path dir) throws CalibrationException, IOException {
        Files.createDirectories(dir);
        LabelledLogits all = request.ensemble();
        if (request.mcDropout().isPresent() && !request.mcDropout().get().rowNames().equals(all.rowNames())) {
            throw new IllegalArgumentException("the MC-dropout logits must cover the same rows in the same order");
        }
        List<List<Integer>> split = new ArrayList<>();
        String splitText = split(request, split);
        List<Integer> va = split.get(0);
        List<Integer> te = split.get(1);
        if (va.isEmpty() || te.isEmpty()) {
            throw new CalibrationException("the split left " + va.size() + " validation and " + te.size()
                    + " test rows; both parts need rows (" + splitText + ")");
        }
        Parts ensemble = new Parts(subset(all, va), subset(all, te));
        int members = all.logits()[0].length;
        Map<String, Parts> variants = new LinkedHashMap<>();
        Map<String, String> slug = new LinkedHashMap<>();
        variants.put(members > 1 ? "single network (member 1)" : "single network", members > 1
                ? ensemble.member(0) : ensemble);
        slug.put(variants.keySet().iterator().next(), "single");
        if (request.mcDropout().isPresent()) {
            LabelledLogits mc = request.mcDropout().get();
            String name = "MC dropout (" + mc.logits()[0].length + " passes)";
            variants.put(name, new Parts(subset(mc, va), subset(mc, te)));
            slug.put(name, "mc-dropout");
        }
        if (members > 1) {
            String name = "deep ensemble (" + members + ")";
            variants.put(name, ensemble);
            slug.put(name, "ensemble");
        }

        List<Path> files = new ArrayList<>();
        Report r = new Report();
        String title = "Calibration study: " + request.model() + " on " + request.data();
        r.heading(1, title);
        r.text(splitText + ". " + request.bins() + " equal-width bins; intervals: 95 % percentile bootstrap, "
                + request.resamples() + " resamples, seed " + request.seed() + ". T is fitted on the validation part by "
                + "minimising NLL, members' logits divided by T before their softmax outputs are averaged (MEMBER_T); "
                + "the test part is only measured. The model's current T is " + f4(request.shippedT()) + ".");

        List<StudyResult.Variant> results = new ArrayList<>();
        List<List<String>> testRows = new ArrayList<>();
        List<List<String>> valRows = new ArrayList<>();
        List<List<String>> optimaRows = new ArrayList<>();
        CsvRows metricsCsv = new CsvRows("variant", "part", "calibration", "temperature", "metric", "value", "lower",
                "upper");
        CsvRows sweepCsv = new CsvRows("variant", "part", "temperature", "nll", "ece", "mae");
        CsvRows optimaCsv = new CsvRows("variant", "metric", "validation_optimal_t", "test_optimal_t", "gap");
        Map<String, List<String>> figureFiles = new LinkedHashMap<>();
        Map<String, List<String>> figureCaptions = new LinkedHashMap<>();
        for (Map.Entry<String, Parts> e : variants.entrySet()) {
            String name = e.getKey();
            String s = slug.get(name);
            Parts p = e.getValue();
            double tv = TemperatureFitter.fit(p.validation(), CalibrationMethod.MEMBER_T).temperature();
            double tt = TemperatureFitter.fit(p.test(), CalibrationMethod.MEMBER_T).temperature();
            Map<String, Map<Metric, MetricValue>> m = new LinkedHashMap<>();
            for (String part : List.of("validation", "test")) {
                LabelledLogits d = part.equals("validation") ? p.validation() : p.test();
                for (boolean scaled : new boolean[] {false, true}) {
                    double t = scaled ? tv : 1.0;
                    Map<Metric, MetricValue> v = metrics.evaluate(probabilities(d, t), d.truth(), request.bins(),
                            request.resamples(), 0.95, request.seed());
                    String cal = scaled ? "scaled" : "uncalibrated";
                    m.put(part + (scaled ? "/T" : "/1"), v);
                    for (Metric k : Metric.values()) {
                        MetricValue x = v.get(k);
                        metricsCsv.add(name, part, cal, f6(t), k, f6(x.value()), f6(x.lower()), f6(x.upper()));
                    }
                }
            }
            results.add(new StudyResult.Variant(name, tv, tt, m.get("test/1"), m.get("test/T")));
            List<String> row = new ArrayList<>(List.of(name, f4(tv), f4(tt)));
            List<String> vrow = new ArrayList<>(List.of(name, f4(tv)));
            for (Metric k : TABLE) {
                row.add(ci(m.get("test/1").get(k)));
                if (k != Metric.ACCURACY) {
                    row.add(ci(m.get("test/T").get(k)));
                }
                vrow.add(f4(m.get("validation/1").get(k).value()));
                if (k != Metric.ACCURACY) {
                    vrow.add(f4(m.get("validation/T").get(k).value()));
                }
            }
            testRows.add(row);
            valRows.add(vrow);

            // Sweeps: validation and test on one plot, each minimum marked; the grid optima give ECE/MAE's optimal T.
            double hi = Math.max(8, 2 * Math.max(tv, Math.max(tt, request.shippedT())));
            double lo = Math.min(0.25, Math.min(tv, tt) / 2);
            Map<String, LabelledLogits> both = new LinkedHashMap<>();
            both.put("validation", p.validation());
            both.put("test", p.test());
            Map<Metric, Map<String, Double>> best = new LinkedHashMap<>();
            List<String> figs = new ArrayList<>();
            List<String> caps = new ArrayList<>();
            for (Metric k : SWEPT) {
                String base = "sweep-" + s + "-" + k.name().toLowerCase(Locale.ROOT);
                for (String ext : List.of("png", "svg")) {
                    Path f = dir.resolve(base + "." + ext);
                    best.put(k, charts.sweep(both, k, request.bins(), lo, hi, request.shippedT(), request.model() + ", "
                            + name + ": " + Charts.metricLabel(k) + " against T", f));
                    files.add(f);
                }
                figs.add(base + ".png");
                caps.add(name + ": " + Charts.metricLabel(k) + " against T, validation and test");
            }
            double[] ts = new double[Charts.SWEEP_POINTS];
            for (int k = 0; k < ts.length; k++) {
                ts[k] = lo * Math.pow(hi / lo, (double) k / (ts.length - 1));
            }
            for (String part : List.of("validation", "test")) {
                LabelledLogits d = both.get(part);
                double[][] curves = new double[SWEPT.size()][];
                for (int k = 0; k < SWEPT.size(); k++) {
                    curves[k] = charts.curve(d, SWEPT.get(k), request.bins(), ts);
                }
                for (int j = 0; j < ts.length; j++) {
                    List<Object> cells = new ArrayList<>(List.of(name, part, f6(ts[j])));
                    for (double[] c : curves) {
                        cells.add(f6(c[j]));
                    }
                    sweepCsv.add(cells.toArray());
                }
            }
            double[][] pvT = probabilities(p.test(), tv);
            double eceOptTest = best.get(Metric.ECE).get("test");
            optimaRows.add(List.of(name, f4(tv), f4(tt), signed(tt - tv), f2(best.get(Metric.ECE).get("validation")),
                    f2(eceOptTest), f2(best.get(Metric.MAE).get("validation")), f2(best.get(Metric.MAE).get("test")),
                    f4(metrics.compute(Metric.ECE, pvT, p.test().truth(), request.bins())),
                    f4(metrics.compute(Metric.ECE, probabilities(p.test(), eceOptTest), p.test().truth(),
                            request.bins()))));
            optimaCsv.add(name, "NLL", f6(tv), f6(tt), f6(tt - tv));
            for (Metric k : List.of(Metric.ECE, Metric.MAE)) {
                double a = best.get(k).get("validation");
                double b = best.get(k).get("test");
                optimaCsv.add(name, k, f6(a), f6(b), f6(b - a));
            }

            // Reliability diagrams: both parts, uncalibrated and scaled with the validation T.
            for (String part : List.of("validation", "test")) {
                LabelledLogits d = both.get(part);
                for (boolean scaled : new boolean[] {false, true}) {
                    double t = scaled ? tv : 1.0;
                    String base = "reliability-" + s + "-" + part + (scaled ? "-Tval" : "-T1");
                    String caption = String.format(Locale.ROOT, "%s, %s part, %s", name, part, scaled
                            ? "T = " + f2(tv) + " (fitted on validation)" : "T = 1");
                    for (String ext : List.of("png", "svg")) {
                        Path f = dir.resolve(base + "." + ext);
                        charts.reliability(probabilities(d, t), d.truth(), request.bins(), request.model() + ", "
                                + caption, f);
                        files.add(f);
                    }
                    figs.add(base + ".png");
                    caps.add(caption);
                }
            }
            figureFiles.put(name, figs);
            figureCaptions.put(name, caps);
        }

        r.heading(2, "1. Test part: uncalibrated (T = 1) and temperature-scaled (T fitted on validation)");
        List<String> header = new ArrayList<>(List.of("variant", "T (validation)", "T optimal on test",
                "accuracy", "NLL T=1", "NLL T(val)", "ECE T=1", "ECE T(val)", "MAE T=1", "MAE T(val)"));
        r.table(header, testRows);
        r.text("MAE is the reliability-diagram error of the paper: the unweighted mean of |accuracy - confidence| "
                + "over non-empty bins; ECE weighs the bins by their rows. Temperature scaling does not change the top "
                + "label, so accuracy is the same at both temperatures.");
        r.heading(2, "2. Validation part (the part T is fitted on, so its scaled figures are optimistic)");
        r.table(List.of("variant", "T (validation)", "accuracy", "NLL T=1", "NLL T(val)", "ECE T=1", "ECE T(val)",
                "MAE T=1", "MAE T(val)"), valRows);
        r.heading(2, "3. The temperature optimal on validation is not the one optimal on test");
        r.table(List.of("variant", "NLL-optimal T, validation", "NLL-optimal T, test", "gap (test - validation)",
                "ECE-optimal T, validation", "ECE-optimal T, test", "MAE-optimal T, validation", "MAE-optimal T, test",
                "test ECE at validation T", "test ECE at test-ECE-optimal T"), optimaRows);
        r.text("NLL optima: the fitter's continuous minimum. ECE and MAE optima: the best of the " + Charts.SWEEP_POINTS
                + " log-spaced temperatures the sweeps draw; both are jagged on small parts, read them with the curves.");

        Parts methodsOn = variants.get("deep ensemble (" + members + ")");
        if (methodsOn != null) {
            r.heading(2, "4. Where to apply T (deep ensemble; fitted on validation, measured on test)");
            List<List<String>> rows = new ArrayList<>();
            CsvRows methodsCsv = new CsvRows("method", "temperature", "parameters", "validation_nll", "test_nll",
                    "test_ece", "test_mae");
            for (CalibrationMethod method : CalibrationMethod.values()) {
                try {
                    TemperatureFit fit = TemperatureFitter.fit(methodsOn.validation(), method);
                    double[][] q = apply(methodsOn.test(), fit);
                    int[] y = methodsOn.test().truth();
                    double nll = metrics.compute(Metric.NLL, q, y, request.bins());
                    double ece = metrics.compute(Metric.ECE, q, y, request.bins());
                    double mae = metrics.compute(Metric.MAE, q, y, request.bins());
                    rows.add(List.of(method.name(), f4(fit.temperature()), Integer.toString(fit.parameters().size()),
                            f4(fit.nllAfter()), f4(nll), f4(ece), f4(mae)));
                    methodsCsv.add(method, f6(fit.temperature()), fit.parameters().size(), f6(fit.nllAfter()), f6(nll),
                            f6(ece), f6(mae));
                } catch (CalibrationException ex) {
                    rows.add(List.of(method.name(), "failed: " + ex.getMessage(), "", "", "", "", ""));
                }
            }
            r.table(List.of("method", "T (geometric mean)", "parameters", "validation NLL after fit", "test NLL",
                    "test ECE", "test MAE"), rows);
            r.text("MEMBER_T: members' logits / T, then average (what Tempered applies); POOLED_T: average, then T on "
                    + "the log of the average; PER_MEMBER_T: one T per member; VECTOR_SCALING: one T and one bias per "
                    + "class on the averaged log-probabilities.");
            files.add(write(dir.resolve("methods.csv"), methodsCsv.text()));
        }

        r.heading(2, "5. Baselines fitted on validation: histogram binning and isotonic regression (test part)");
        List<List<String>> baseRows = new ArrayList<>();
        CsvRows baseCsv = new CsvRows("variant", "calibrator", "accuracy", "nll", "ece", "mae");
        for (Map.Entry<String, Parts> e : variants.entrySet()) {
            Parts p = e.getValue();
            double tv = results.stream().filter(v -> v.name().equals(e.getKey())).findFirst().orElseThrow()
                    .validationT();
            double[][] pv = probabilities(p.validation(), 1.0);
            double[][] pt = probabilities(p.test(), 1.0);
            int[] yv = p.validation().truth();
            int[] yt = p.test().truth();
            Map<String, double[][]> calibrated = new LinkedHashMap<>();
            calibrated.put("none (T = 1)", pt);
            calibrated.put("temperature scaling", probabilities(p.test(), tv));
            calibrated.put("histogram binning (" + request.bins() + " bins)",
                    Baselines.apply(Baselines.histogramBinning(pv, yv, request.bins()), pt));
            calibrated.put("isotonic regression", Baselines.apply(Baselines.isotonic(pv, yv), pt));
            for (Map.Entry<String, double[][]> c : calibrated.entrySet()) {
                double[] v = new double[TABLE.size()];
                for (int k = 0; k < v.length; k++) {
                    v[k] = metrics.compute(TABLE.get(k), c.getValue(), yt, request.bins());
                }
                baseRows.add(List.of(e.getKey(), c.getKey(), f4(v[0]), f4(v[1]), f4(v[2]), f4(v[3])));
                baseCsv.add(e.getKey(), c.getKey(), f6(v[0]), f6(v[1]), f6(v[2]), f6(v[3]));
            }
        }
        r.table(List.of("variant", "calibrator", "accuracy", "NLL", "ECE", "MAE"), baseRows);
        r.text("As in netcal: one map per class from p(class) to the class's frequency (one-vs-rest), then each row "
                + "renormalised. Both can change the top label (accuracy moves) and can map a true class to 0, which "
                + "NLL punishes with up to 708 nats per row; temperature scaling can do neither. Tagging keeps "
                + "temperature scaling.");

        r.heading(2, "Figures");
        for (String name : figureFiles.keySet()) {
            r.heading(3, name);
            r.figures(figureFiles.get(name), figureCaptions.get(name));
        }
        r.text("Every figure is also written as SVG beside its PNG. CSVs: metrics.csv (every metric, part and "
                + "temperature with its interval), sweep.csv (NLL, ECE and MAE against T), optima.csv, methods.csv, "
                + "baselines.csv.");

        files.add(write(dir.resolve("metrics.csv"), metricsCsv.text()));
        files.add(write(dir.resolve("sweep.csv"), sweepCsv.text()));
        files.add(write(dir.resolve("optima.csv"), optimaCsv.text()));
        files.add(write(dir.resolve("baselines.csv"), baseCsv.text()));
        String md = r.markdown();
        Path summary = write(dir.resolve("summary.md"), md);
        Path page = write(dir.resolve("index.html"), r.html(title));
        files.add(summary);
        files.add(page);
        return new StudyResult(splitText, results, page, summary, files, md);
    }

    /** Fills {@code out} with the validation and test row indices and describes the split. */
    static String split(StudyRequest request, List<List<Integer>> out) {
        LabelledLogits d = request.ensemble();
        List<String> names = d.rowNames();
        List<Integer> va = new ArrayList<>();
        List<Integer> te = new ArrayList<>();
        out.add(va);
        out.add(te);
        if (!request.validationRows().isEmpty()) {
            int left = 0;
            for (int i = 0; i < d.size(); i++) {
                String n = names.isEmpty() ? "" : names.get(i);
                String base = baseName(n);
                if (request.validationRows().contains(n) || request.validationRows().contains(base)) {
                    va.add(i);
                } else if (request.testRows().contains(n) || request.testRows().contains(base)) {
                    te.add(i);
                } else {
                    left++;
                }
            }
            if (!va.isEmpty() && !te.isEmpty()) {
                return String.format(Locale.ROOT, "Split: %s; validation %d rows, test %d rows (%d rows in neither "
                        + "part left out)", request.splitSource(), va.size(), te.size(), left);
            }
            // The given split names none of these rows on one side (e.g. the user's own music): state our own.
            va.clear();
            te.clear();
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("rows need names for the study to split them");
        }
        // No split given: per label, the files in name order, first half validation, second half test. Whole
        // files go to one part (a track's windows stay together), and name order keeps albums together as
        // far as file names do.
        Map<Integer, TreeSet<String>> filesByLabel = new TreeMap<>();
        int[] y = d.truth();
        for (int i = 0; i < d.size(); i++) {
            filesByLabel.computeIfAbsent(y[i], k -> new TreeSet<>()).add(names.get(i));
        }
        Set<String> validation = new java.util.HashSet<>();
        for (TreeSet<String> files : filesByLabel.values()) {
            List<String> sorted = new ArrayList<>(files);
            validation.addAll(sorted.subList(0, sorted.size() / 2));
        }
        for (int i = 0; i < d.size(); i++) {
            (validation.contains(names.get(i)) ? va : te).add(i);
        }
        return String.format(Locale.ROOT, "Split (stated by the study; the data is not split by the package): per "
                + "label, its files in name order, the first half validation and the second half test; validation "
                + "%d rows, test %d rows", va.size(), te.size());
    }

    private static String baseName(String n) {
        int slash = Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\'));
        return slash < 0 ? n : n.substring(slash + 1);
    }

    static LabelledLogits subset(LabelledLogits d, List<Integer> idx) {
        double[][][] z = d.logits();
        int[] y = d.truth();
        double[][][] zs = new double[idx.size()][][];
        int[] ys = new int[idx.size()];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ys.length; i++) {
            zs[i] = z[idx.get(i)];
            ys[i] = y[idx.get(i)];
            if (!d.rowNames().isEmpty()) {
                names.add(d.rowNames().get(idx.get(i)));
            }
        }
        return new LabelledLogits(d.labels(), zs, ys, names);
    }

    private static double[][] probabilities(LabelledLogits d, double t) {
        double[][][] z = d.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = Softmax.memberMean(z[i], t);
        }
        return p;
    }

    private static double[][] apply(LabelledLogits d, TemperatureFit f) {
        double[][][] z = d.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = TemperatureFitter.apply(z[i], f);
        }
        return p;
    }

    private static Path write(Path file, String text) throws IOException {
        ReportFiles.replace(file, text);
        return file;
    }

    private static String ci(MetricValue v) {
        if (v.lower() == v.value() && v.upper() == v.value()) {
            return f4(v.value());
        }
        return String.format(Locale.ROOT, "%.4f [%.3f, %.3f]", v.value(), v.lower(), v.upper());
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String f4(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String f6(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String signed(double v) {
        return String.format(Locale.ROOT, "%+.4f", v);
    }
}
