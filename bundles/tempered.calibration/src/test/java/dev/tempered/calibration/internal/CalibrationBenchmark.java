package dev.tempered.calibration.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.model.EnsembleOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Timings for docs/benchmarks/calibration.md; off unless asked:
 *
 * <pre>
 * mvn -B -o -pl bundles/tempered.calibration -am verify -Dtempered.bench=true -Dtest=CalibrationBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * Each figure is the median of several runs after warm-up, on synthetic logits of the GTZAN ensemble's shape.
 */
@EnabledIfSystemProperty(named = "tempered.bench", matches = "true")
class CalibrationBenchmark {
    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    interface Body {
        void run() throws Exception;
    }

    private static double medianMillis(int reps, Body body) throws Exception {
        body.run();
        double[] t = new double[reps];
        for (int r = 0; r < reps; r++) {
            long s = System.nanoTime();
            body.run();
            t[r] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    private static LabelledLogits data(int n, int members) {
        Random r = new Random(n * 31L + members);
        double[][][] z = new double[n][members][10];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 10; c++) {
                double base = 3 * r.nextGaussian();
                for (int m = 0; m < members; m++) {
                    z[i][m][c] = base + r.nextGaussian();
                }
            }
            double[] p = Softmax.memberMean(z[i], 2.5);
            double u = r.nextDouble();
            int c = 0;
            while (c < 9 && (u -= p[c]) >= 0) {
                c++;
            }
            y[i] = c;
        }
        return new LabelledLogits(LABELS, z, y, List.of());
    }

    @Test
    void benchmark() throws Exception {
        StringBuilder md = new StringBuilder("| operation | size | median |\n|---|---|---|\n");
        for (int[] shape : new int[][] {{160, 5}, {800, 5}, {800, 30}, {10_000, 5}}) {
            LabelledLogits d = data(shape[0], shape[1]);
            for (CalibrationMethod m : CalibrationMethod.values()) {
                if (shape[0] == 10_000 && m == CalibrationMethod.VECTOR_SCALING) {
                    continue;
                }
                double ms = medianMillis(5, () -> TemperatureFitter.fit(d, m));
                md.append(String.format(Locale.ROOT, "| fit %s | %d rows x %d members x 10 classes | %.1f ms |%n", m,
                        shape[0], shape[1], ms));
            }
        }
        Metrics metrics = new Metrics();
        for (int n : new int[] {160, 800}) {
            LabelledLogits d = data(n, 5);
            double[][] p = new double[n][];
            double[][][] z = d.logits();
            for (int i = 0; i < n; i++) {
                p[i] = Softmax.memberMean(z[i], 2.5);
            }
            double ms = medianMillis(5, () -> metrics.evaluate(p, d.truth(), 15, 1000, 0.95, 1));
            md.append(String.format(Locale.ROOT, "| all 8 metrics + 1000 bootstrap resamples | %d rows | %.1f ms |%n",
                    n, ms));
        }
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        for (int members : new int[] {5, 30}) {
            float[] flat = new float[1000 * members * 10];
            Random r = new Random(members);
            for (int k = 0; k < flat.length; k++) {
                flat[k] = (float) (3 * r.nextGaussian());
            }
            EnsembleOutput out = new EnsembleOutput(new ModelRef("bench", "1"), 1000, members, 10, flat);
            double ms = medianMillis(9, () -> {
                for (int i = 0; i < 1000; i++) {
                    calibrator.apply(out, i, LABELS, 2.5);
                }
            });
            md.append(String.format(Locale.ROOT, "| Calibrator.apply (configured T lookup, MEMBER_T, entropy, MI) | "
                    + "%d members x 10 classes | %.2f us per row |%n", members, ms));
        }
        Charts charts = new Charts();
        LabelledLogits d = data(800, 5);
        double[][] p = new double[800][];
        for (int i = 0; i < 800; i++) {
            p[i] = Softmax.memberMean(d.logits()[i], 2.5);
        }
        Path dir = Files.createTempDirectory("bench-charts");
        for (String ext : List.of("png", "svg")) {
            double ms = medianMillis(5, () -> charts.reliability(p, d.truth(), 15, "bench", dir.resolve("r." + ext)));
            md.append(String.format(Locale.ROOT, "| reliability diagram %s | 800 rows, 15 bins | %.1f ms |%n", ext, ms));
        }
        double ms = medianMillis(3, () -> charts.sweep(java.util.Map.of("validation", d), dev.tempered.api.calibration.
                Metric.ECE, 15, 0.25, 8, 2.5, "bench", dir.resolve("s.png")));
        md.append(String.format(Locale.ROOT, "| temperature sweep png (61 temperatures) | 800 rows x 5 members | %.1f ms |%n",
                ms));
        md.append("\n| T recovery (MEMBER_T, 5 members, 10 classes, labels drawn from softmax(z / T_true)) | rows "
                + "| median / max relative error over 10 seeds |\n|---|---|---|\n");
        for (double tTrue : new double[] {0.6, 1.5, 2.5, 4.0}) {
            for (int n : new int[] {160, 800, 20_000}) {
                double[] err = new double[10];
                for (int seed = 0; seed < err.length; seed++) {
                    Random r = new Random(1000L * seed + n);
                    double[][][] z = new double[n][5][10];
                    int[] y = new int[n];
                    for (int i = 0; i < n; i++) {
                        for (int c = 0; c < 10; c++) {
                            double base = 3 * r.nextGaussian();
                            for (int m = 0; m < 5; m++) {
                                z[i][m][c] = base + r.nextGaussian();
                            }
                        }
                        double[] q = Softmax.memberMean(z[i], tTrue);
                        double u = r.nextDouble();
                        int c = 0;
                        while (c < 9 && (u -= q[c]) >= 0) {
                            c++;
                        }
                        y[i] = c;
                    }
                    double t = TemperatureFitter.fit(new LabelledLogits(LABELS, z, y, List.of()),
                            CalibrationMethod.MEMBER_T).temperature();
                    err[seed] = Math.abs(t / tTrue - 1);
                }
                Arrays.sort(err);
                md.append(String.format(Locale.ROOT, "| T_true = %.1f | %d | %.2f %% / %.2f %% |%n", tTrue, n,
                        100 * (err[4] + err[5]) / 2, 100 * err[9]));
            }
        }
        Path out = Paths.get("target", "bench", "calibration.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md.toString());
        System.out.println(md);
    }
}
