package dev.tempered.calibration.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.TemperatureFit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The first calibration study harness, on the GTZAN descriptor packages run by ONNX Runtime. {@code tempered study}
 * (the {@link Study} service) now writes the study of docs/calibration-study.md; this harness stays for its
 * re-fitting simulation (section 6 there), which the command does not run. Off by default (about a minute):
 *
 * <pre>
 * mvn -B -o -pl bundles/tempered.calibration -am verify -Dtempered.study=true -Dtest=CalibrationStudy \
 *     -Dsurefire.failIfNoSpecifiedTests=false [-Dtempered.study.out=DIR] \
 *     [-Dtempered.study.csv=FILE]
 * </pre>
 * The CSV defaults to the repository's {@code fixtures/gtzan/features_30_sec.csv}.
 */
@EnabledIfSystemProperty(named = "tempered.study", matches = "true")
class CalibrationStudy {
    private static final int BINS = 15;
    private static final int RESAMPLES = 1000;
    private static final long SEED = 2023;
    private static final int MC_PASSES = 30;
    private final Metrics metrics = new Metrics();
    private final Charts charts = new Charts();
    private final StringBuilder md = new StringBuilder();

    private static Path repoRoot() {
        Path p = Paths.get("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("models").resolve("gtzan-mlp"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("models/gtzan-mlp not found above " + Paths.get("").toAbsolutePath());
        }
        return p;
    }

    /** filename -> (features in the model's order, label). */
    private static Map<String, Object[]> readCsv(Path csv, List<String> features) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        int[] cols = features.stream().mapToInt(header::indexOf).toArray();
        int file = header.indexOf("filename");
        int label = header.indexOf("label");
        Map<String, Object[]> out = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            float[] x = new float[cols.length];
            for (int k = 0; k < cols.length; k++) {
                x[k] = Float.parseFloat(f[cols[k]]);
            }
            out.put(f[file], new Object[] {x, f[label]});
        }
        return out;
    }

    /** Runs a package {@code runs} times on the rows and stacks the member outputs of every run. */
    private static double[][][] logits(OrtEnvironment env, Path onnx, float[][] x, int runs) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(1);
            try (OrtSession s = env.createSession(onnx.toString(), o)) {
                double[][][] out = new double[x.length][][];
                for (int r = 0; r < runs; r++) {
                    try (OnnxTensor t = OnnxTensor.createTensor(env, x); OrtSession.Result res = s.run(Map.of(
                            "features", t))) {
                        float[][][] z = (float[][][]) res.get(0).getValue();
                        for (int i = 0; i < x.length; i++) {
                            int m0 = out[i] == null ? 0 : out[i].length;
                            double[][] grown = new double[m0 + z[i].length][];
                            if (out[i] != null) {
                                System.arraycopy(out[i], 0, grown, 0, m0);
                            }
                            for (int m = 0; m < z[i].length; m++) {
                                grown[m0 + m] = new double[z[i][m].length];
                                for (int c = 0; c < z[i][m].length; c++) {
                                    grown[m0 + m][c] = z[i][m][c];
                                }
                            }
                            out[i] = grown;
                        }
                    }
                }
                return out;
            }
        }
    }

    private record Split(LabelledLogits validation, LabelledLogits test) {
        Split member(int m) {
            return new Split(slice(validation, m), slice(test, m));
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

    private static LabelledLogits labelled(List<String> labels, List<String> files, Map<String, Object[]> rows,
            double[][][] z) {
        int[] y = new int[files.size()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.indexOf((String) rows.get(files.get(i))[1]);
        }
        return new LabelledLogits(labels, z, y, files);
    }

    private static float[][] features(List<String> files, Map<String, Object[]> rows) {
        float[][] x = new float[files.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float[]) rows.get(files.get(i))[0];
        }
        return x;
    }

    private double[][] probabilities(LabelledLogits d, double t) {
        double[][][] z = d.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = Softmax.memberMean(z[i], t);
        }
        return p;
    }

    /** The Python study's grid: 41 points, T = 0.25 * 2^(k/10). */
    private static double[] grid() {
        double[] ts = new double[41];
        for (int k = 0; k < ts.length; k++) {
            ts[k] = 0.25 * Math.pow(2, k / 10.0);
        }
        return ts;
    }

    private double gridOptimum(LabelledLogits d, Metric m) {
        double[] ts = grid();
        double[] v = charts.curve(d, m, BINS, ts);
        int best = 0;
        for (int k = 1; k < v.length; k++) {
            best = v[k] < v[best] ? k : best;
        }
        return ts[best];
    }

    private static String ci(MetricValue v) {
        return String.format(Locale.ROOT, "%.4f [%.3f, %.3f]", v.value(), v.lower(), v.upper());
    }

    @Test
    void study() throws Exception {
        Path root = repoRoot();
        Path out = root.resolve(System.getProperty("tempered.study.out", "bundles/tempered.calibration/target/study"));
        Files.createDirectories(out);
        String csvProperty = System.getProperty("tempered.study.csv");
        Path csv = csvProperty != null ? Paths.get(csvProperty) : root.resolve("fixtures/gtzan/features_30_sec.csv");
        if (!Files.isRegularFile(csv)) {
            throw new IllegalStateException("No descriptor CSV at " + csv + " (see fixtures/NOTICE.md)");
        }
        ObjectMapper json = new ObjectMapper();
        JsonNode ens = json.readTree(root.resolve("models/gtzan-mlp/model.json").toFile());
        List<String> labels = new ArrayList<>();
        ens.get("labels").forEach(n -> labels.add(n.asText()));
        List<String> features = new ArrayList<>();
        ens.get("frontEnd").get("features").forEach(n -> features.add(n.asText()));
        List<String> val = new ArrayList<>();
        List<String> test = new ArrayList<>();
        ens.get("provenance").get("validationFiles").forEach(n -> val.add(n.asText()));
        ens.get("provenance").get("testFiles").forEach(n -> test.add(n.asText()));
        Map<String, Object[]> rows = readCsv(csv, features);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path ensOnnx = root.resolve("models/gtzan-mlp/model.onnx");
        Path mcOnnx = root.resolve("models/gtzan-mlp-mcd/model.onnx");
        Split ensemble = new Split(labelled(labels, val, rows, logits(env, ensOnnx, features(val, rows), 1)),
                labelled(labels, test, rows, logits(env, ensOnnx, features(test, rows), 1)));
        Split mc = new Split(labelled(labels, val, rows, logits(env, mcOnnx, features(val, rows), MC_PASSES)),
                labelled(labels, test, rows, logits(env, mcOnnx, features(test, rows), MC_PASSES)));
        Map<String, Split> methods = new LinkedHashMap<>();
        for (int m = 0; m < ensemble.validation().logits()[0].length; m++) {
            methods.put("single network (member " + (m + 1) + ")", ensemble.member(m));
        }
        methods.put("deep ensemble (5)", ensemble);
        methods.put("MC dropout (" + MC_PASSES + " passes)", mc);

        md.append(String.format(Locale.ROOT, "Data: %s; validation %d rows, test %d rows; %d equal-width bins; "
                + "95%% percentile bootstrap intervals, %d resamples, seed %d.%n%n", csv.getFileName(), val.size(),
                test.size(), BINS, RESAMPLES, SEED));
        md.append("### Test block: T = 1 vs T fitted on validation (MEMBER_T, NLL)\n\n");
        md.append("| method | T (val-fitted) | accuracy | NLL T=1 | NLL cal | ECE T=1 | ECE cal | MAE T=1 | MAE cal |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        StringBuilder optima = new StringBuilder("### Optimal temperatures, validation vs test\n\n"
                + "| method | NLL-opt T val | NLL-opt T test | ECE-opt T val | ECE-opt T test | MAE-opt T val "
                + "| MAE-opt T test | test ECE at val T | test ECE at test-ECE-opt T |\n|---|---|---|---|---|---|---|---|---|\n");
        double[] memberMean = new double[8];
        int members = 0;
        for (Map.Entry<String, Split> e : methods.entrySet()) {
            Split s = e.getValue();
            TemperatureFit fv = TemperatureFitter.fit(s.validation(), CalibrationMethod.MEMBER_T);
            TemperatureFit ft = TemperatureFitter.fit(s.test(), CalibrationMethod.MEMBER_T);
            int[] y = s.test().truth();
            Map<Metric, MetricValue> t1 = metrics.evaluate(probabilities(s.test(), 1), y, BINS, RESAMPLES, 0.95, SEED);
            Map<Metric, MetricValue> tc = metrics.evaluate(probabilities(s.test(), fv.temperature()), y, BINS,
                    RESAMPLES, 0.95, SEED);
            md.append(String.format(Locale.ROOT, "| %s | %.4f | %s | %s | %s | %s | %s | %s | %s |%n", e.getKey(),
                    fv.temperature(), ci(t1.get(Metric.ACCURACY)), ci(t1.get(Metric.NLL)), ci(tc.get(Metric.NLL)),
                    ci(t1.get(Metric.ECE)), ci(tc.get(Metric.ECE)), ci(t1.get(Metric.MAE)), ci(tc.get(Metric.MAE))));
            double eceOptTest = gridOptimum(s.test(), Metric.ECE);
            optima.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f |%n",
                    e.getKey(), fv.temperature(), ft.temperature(), gridOptimum(s.validation(), Metric.ECE), eceOptTest,
                    gridOptimum(s.validation(), Metric.MAE), gridOptimum(s.test(), Metric.MAE),
                    tc.get(Metric.ECE).value(),
                    metrics.compute(Metric.ECE, probabilities(s.test(), eceOptTest), y, BINS)));
            if (e.getKey().startsWith("single")) {
                double[] v = {fv.temperature(), t1.get(Metric.ACCURACY).value(), t1.get(Metric.NLL).value(),
                    tc.get(Metric.NLL).value(), t1.get(Metric.ECE).value(), tc.get(Metric.ECE).value(),
                    t1.get(Metric.MAE).value(), tc.get(Metric.MAE).value()};
                for (int k = 0; k < v.length; k++) {
                    memberMean[k] += v[k];
                }
                members++;
            }
        }
        md.append(String.format(Locale.ROOT, "| single network, mean of %d | %.4f | %.4f | %.4f | %.4f | %.4f | %.4f | "
                + "%.4f | %.4f |%n%n", members, memberMean[0] / members, memberMean[1] / members,
                memberMean[2] / members, memberMean[3] / members, memberMean[4] / members, memberMean[5] / members,
                memberMean[6] / members, memberMean[7] / members));
        md.append(optima).append('\n');

        md.append("### Where T is applied (deep ensemble; fitted on validation, measured on test)\n\n");
        md.append("| method | T (geometric mean) | val NLL fitted | test NLL | test ECE | test MAE |\n|---|---|---|---|---|---|\n");
        for (CalibrationMethod method : CalibrationMethod.values()) {
            try {
                TemperatureFit f = TemperatureFitter.fit(ensemble.validation(), method);
                double[][] p = apply(ensemble.test(), f);
                int[] y = ensemble.test().truth();
                md.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %.4f |%n", method,
                        f.temperature(), f.nllAfter(), metrics.compute(Metric.NLL, p, y, BINS),
                        metrics.compute(Metric.ECE, p, y, BINS), metrics.compute(Metric.MAE, p, y, BINS)));
            } catch (CalibrationException ex) {
                md.append("| ").append(method).append(" | failed: ").append(ex.getMessage()).append(" | | | | |\n");
            }
        }
        md.append('\n');

        md.append(refitOnOwnData(ensemble));

        for (Map.Entry<String, Split> e : Map.of("ensemble", ensemble, "mc-dropout", mc,
                "single-member1", ensemble.member(0)).entrySet()) {
            Map<String, LabelledLogits> both = new LinkedHashMap<>();
            both.put("validation", e.getValue().validation());
            both.put("test", e.getValue().test());
            double tv = TemperatureFitter.fit(e.getValue().validation(), CalibrationMethod.MEMBER_T).temperature();
            for (Metric m : List.of(Metric.ECE, Metric.MAE)) {
                charts.sweep(both, m, BINS, 0.25, 8, tv, e.getKey() + ": " + Charts.metricLabel(m)
                        + " against T (GTZAN descriptors MLP)", out.resolve("sweep-" + e.getKey() + "-"
                        + m.name().toLowerCase(Locale.ROOT) + ".png"));
            }
            LabelledLogits t = e.getValue().test();
            charts.reliability(probabilities(t, 1), t.truth(), BINS, e.getKey() + ", test block, T = 1",
                    out.resolve("reliability-" + e.getKey() + "-test-T1.png"));
            charts.reliability(probabilities(t, tv), t.truth(), BINS, String.format(Locale.ROOT,
                    "%s, test block, T = %.2f (fitted on validation)", e.getKey(), tv),
                    out.resolve("reliability-" + e.getKey() + "-test-Tval.png"));
        }
        Files.writeString(out.resolve("results.md"), md.toString());
        System.out.println(md);
    }

    /**
     * What a user can do about the validation/test gap: label k clips of the "new" collection (the test block),
     * fit T on them, and judge on the other test clips, against the validation-fitted T on the same clips.
     * 200 random draws per k.
     */
    private String refitOnOwnData(Split s) throws CalibrationException {
        StringBuilder sb = new StringBuilder("### Re-fitting T on a few labelled clips of the new collection "
                + "(deep ensemble)\n\nFor each k, 200 random draws of k test clips: T is fitted on them (NLL) and "
                + "the remaining test clips are scored with it and with the validation-fitted T.\n\n"
                + "| k labelled clips | median T (k clips) | T range (5%-95%) | held-out NLL, val T | held-out NLL, "
                + "refit T | held-out ECE, val T | held-out ECE, refit T | draws where refit NLL is lower |\n"
                + "|---|---|---|---|---|---|---|---|\n");
        double tVal = TemperatureFitter.fit(s.validation(), CalibrationMethod.MEMBER_T).temperature();
        double[][][] z = s.test().logits();
        int[] y = s.test().truth();
        java.util.Random random = new java.util.Random(SEED);
        for (int k : new int[] {10, 20, 40, 80}) {
            int draws = 200;
            double[] ts = new double[draws];
            double nllVal = 0;
            double nllFit = 0;
            double eceVal = 0;
            double eceFit = 0;
            int better = 0;
            int done = 0;
            for (int d = 0; d < draws; d++) {
                List<Integer> idx = new ArrayList<>();
                for (int i = 0; i < z.length; i++) {
                    idx.add(i);
                }
                java.util.Collections.shuffle(idx, random);
                LabelledLogits fitOn = subset(s.test(), idx.subList(0, k));
                LabelledLogits rest = subset(s.test(), idx.subList(k, idx.size()));
                double t;
                try {
                    t = TemperatureFitter.fit(fitOn, CalibrationMethod.MEMBER_T).temperature();
                } catch (CalibrationException oneClass) {
                    continue;
                }
                ts[done++] = t;
                double a = metrics.compute(Metric.NLL, probabilities(rest, tVal), rest.truth(), BINS);
                double b = metrics.compute(Metric.NLL, probabilities(rest, t), rest.truth(), BINS);
                nllVal += a;
                nllFit += b;
                better += b < a ? 1 : 0;
                eceVal += metrics.compute(Metric.ECE, probabilities(rest, tVal), rest.truth(), BINS);
                eceFit += metrics.compute(Metric.ECE, probabilities(rest, t), rest.truth(), BINS);
            }
            double[] sorted = java.util.Arrays.copyOf(ts, done);
            java.util.Arrays.sort(sorted);
            sb.append(String.format(Locale.ROOT, "| %d | %.2f | %.2f-%.2f | %.4f | %.4f | %.4f | %.4f | %d of %d |%n", k,
                    Metrics.quantile(sorted, 0.5), Metrics.quantile(sorted, 0.05), Metrics.quantile(sorted, 0.95),
                    nllVal / done, nllFit / done, eceVal / done, eceFit / done, better, done));
        }
        return sb.append(String.format(Locale.ROOT, "%nValidation-fitted T = %.4f; the test block has %d clips.%n%n", tVal,
                y.length)).toString();
    }

    private static LabelledLogits subset(LabelledLogits d, List<Integer> idx) {
        double[][][] z = d.logits();
        int[] y = d.truth();
        double[][][] zs = new double[idx.size()][][];
        int[] ys = new int[idx.size()];
        for (int i = 0; i < ys.length; i++) {
            zs[i] = z[idx.get(i)];
            ys[i] = y[idx.get(i)];
        }
        return new LabelledLogits(d.labels(), zs, ys, List.of());
    }

    /** Calibrated probabilities under any method's fitted parameters. */
    private static double[][] apply(LabelledLogits d, TemperatureFit f) {
        double[][][] z = d.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = TemperatureFitter.apply(z[i], f);
        }
        return p;
    }
}
