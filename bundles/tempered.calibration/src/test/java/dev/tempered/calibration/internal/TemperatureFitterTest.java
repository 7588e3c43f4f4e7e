package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.TemperatureFit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Synthetic data with a known temperature: logits are drawn at random, labels are sampled from the
 * distribution the method assumes with T_true, and the fit must recover T_true within 2%.
 */
class TemperatureFitterTest {
    private static final int N = 20_000;
    private static final int CLASSES = 10;
    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    /** Logits for n rows: a shared signal plus member-specific noise, scaled so that T = 1 is overconfident. */
    private static double[][][] logits(Random r, int n, int members) {
        double[][][] z = new double[n][members][CLASSES];
        for (int i = 0; i < n; i++) {
            double[] base = new double[CLASSES];
            for (int c = 0; c < CLASSES; c++) {
                base[c] = 3 * r.nextGaussian();
            }
            for (int m = 0; m < members; m++) {
                for (int c = 0; c < CLASSES; c++) {
                    z[i][m][c] = base[c] + r.nextGaussian();
                }
            }
        }
        return z;
    }

    private static int sample(Random r, double[] p) {
        double u = r.nextDouble();
        for (int c = 0; c < p.length; c++) {
            u -= p[c];
            if (u < 0) {
                return c;
            }
        }
        return p.length - 1;
    }

    private static LabelledLogits data(double[][][] z, int[] y) {
        return new LabelledLogits(LABELS, z, y, List.of());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.6, 2.5, 4.0})
    void memberTemperatureIsRecovered(double tTrue) throws CalibrationException {
        Random r = new Random(11);
        double[][][] z = logits(r, N, 2);
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            y[i] = sample(r, Softmax.memberMean(z[i], tTrue));
        }
        TemperatureFit fit = TemperatureFitter.fit(data(z, y), CalibrationMethod.MEMBER_T);
        assertEquals(tTrue, fit.temperature(), 0.02 * tTrue);
        assertEquals(List.of(fit.temperature()), fit.parameters());
        assertEquals(N, fit.samples());
        assertEquals(TemperatureFitter.nllMemberT(z, y, 1), fit.nllBefore(), 1e-12);
        assertTrue(fit.nllAfter() <= fit.nllBefore());
        // The fitted T is a minimum: nudging it either way does not lower the NLL.
        assertTrue(TemperatureFitter.nllMemberT(z, y, fit.temperature() * 1.01) >= fit.nllAfter());
        assertTrue(TemperatureFitter.nllMemberT(z, y, fit.temperature() / 1.01) >= fit.nllAfter());
    }

    @Test
    void pooledTemperatureIsRecovered() throws CalibrationException {
        double tTrue = 3.0;
        Random r = new Random(12);
        double[][][] z = logits(r, N, 4);
        double[][] logPbar = TemperatureFitter.logMeanProbabilities(z);
        int[] y = new int[N];
        double[] p = new double[CLASSES];
        for (int i = 0; i < N; i++) {
            Softmax.probabilities(logPbar[i], tTrue, p);
            y[i] = sample(r, p);
        }
        TemperatureFit fit = TemperatureFitter.fit(data(z, y), CalibrationMethod.POOLED_T);
        assertEquals(tTrue, fit.temperature(), 0.02 * tTrue);
        assertTrue(fit.nllAfter() < fit.nllBefore());
    }

    @Test
    void perMemberTemperaturesAreRecovered() throws CalibrationException {
        // Member m sees the true logits scaled by s_m, so its own optimal temperature is s_m * T_true.
        double tTrue = 2.0;
        double[] scale = {1.0, 1.5, 0.5};
        Random r = new Random(13);
        double[][][] base = logits(r, N, 1);
        double[][][] z = new double[N][scale.length][CLASSES];
        int[] y = new int[N];
        double[] p = new double[CLASSES];
        for (int i = 0; i < N; i++) {
            for (int m = 0; m < scale.length; m++) {
                for (int c = 0; c < CLASSES; c++) {
                    z[i][m][c] = base[i][0][c] * scale[m];
                }
            }
            Softmax.probabilities(base[i][0], tTrue, p);
            y[i] = sample(r, p);
        }
        TemperatureFit fit = TemperatureFitter.fit(data(z, y), CalibrationMethod.PER_MEMBER_T);
        assertEquals(scale.length, fit.parameters().size());
        double logMean = 0;
        for (int m = 0; m < scale.length; m++) {
            assertEquals(scale[m] * tTrue, fit.parameters().get(m), 0.02 * scale[m] * tTrue, "member " + m);
            logMean += Math.log(fit.parameters().get(m)) / scale.length;
        }
        assertEquals(Math.exp(logMean), fit.temperature(), 1e-9);
        assertTrue(fit.nllAfter() < fit.nllBefore());
    }

    @Test
    void vectorScalingRecoversOneTemperatureForEveryClass() throws CalibrationException {
        // Vector scaling works on log softmax(z) = z - lse(z); with one true T the shift lse(z) / T is shared by
        // all classes, so T_c = T_true and b_c = 0 is exactly representable (unlike distinct per-class T).
        double tTrue = 2.2;
        Random r = new Random(14);
        double[][][] z = logits(r, N, 1);
        int[] y = new int[z.length];
        double[] p = new double[CLASSES];
        for (int i = 0; i < z.length; i++) {
            Softmax.probabilities(z[i][0], tTrue, p);
            y[i] = sample(r, p);
        }
        TemperatureFit fit = TemperatureFitter.fit(data(z, y), CalibrationMethod.VECTOR_SCALING);
        assertEquals(2 * CLASSES, fit.parameters().size());
        assertEquals(tTrue, fit.temperature(), 0.02 * tTrue);
        double biasSum = 0;
        for (int c = 0; c < CLASSES; c++) {
            assertEquals(tTrue, fit.parameters().get(c), 0.05 * tTrue, "class " + c);
            assertEquals(0, fit.parameters().get(CLASSES + c), 0.1, "bias " + c);
            biasSum += fit.parameters().get(CLASSES + c);
        }
        assertEquals(0, biasSum, 1e-9);
        assertTrue(fit.nllAfter() < fit.nllBefore());
        // Vector scaling has the single temperature as a special case, so it can only fit better.
        TemperatureFit single = TemperatureFitter.fit(data(z, y), CalibrationMethod.POOLED_T);
        assertTrue(fit.nllAfter() <= single.nllAfter() + 1e-12);
    }

    @Test
    void applyingAFitReproducesItsNll() throws CalibrationException {
        Random r = new Random(21);
        double[][][] z = logits(r, 2000, 3);
        int[] y = new int[z.length];
        for (int i = 0; i < z.length; i++) {
            y[i] = sample(r, Softmax.memberMean(z[i], 1.7));
        }
        for (CalibrationMethod method : CalibrationMethod.values()) {
            TemperatureFit fit = TemperatureFitter.fit(data(z, y), method);
            double nll = 0;
            for (int i = 0; i < z.length; i++) {
                nll -= Math.log(TemperatureFitter.apply(z[i], fit)[y[i]]) / z.length;
            }
            assertEquals(fit.nllAfter(), nll, 1e-9, method.toString());
        }
    }

    @Test
    void vectorScalingGradientMatchesFiniteDifferences() {
        Random r = new Random(5);
        double[][] x = new double[50][4];
        int[] y = new int[50];
        for (int i = 0; i < x.length; i++) {
            for (int c = 0; c < 4; c++) {
                x[i][c] = r.nextGaussian();
            }
            y[i] = r.nextInt(4);
        }
        double[] theta = {0.5, 1.2, 0.8, 2.0, 0.1, -0.3, 0.2, 0.0};
        double[] g = new double[8];
        VectorScaling.value(x, y, theta, g);
        for (int k = 0; k < theta.length; k++) {
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[k] += 1e-6;
            minus[k] -= 1e-6;
            double numeric = (VectorScaling.value(x, y, plus, new double[8])
                    - VectorScaling.value(x, y, minus, new double[8])) / 2e-6;
            assertEquals(numeric, g[k], 1e-6, "component " + k);
        }
    }

    @Test
    void gridFindsTheBasinOfABumpyFunction() {
        // A narrow deep well at log T = 2.3 beside a broad shallow one at -1: a local search from 0 would miss it.
        double x = TemperatureFitter.minimiseLogT(v -> -Math.exp(-(v + 1) * (v + 1))
                - 2 * Math.exp(-(v - 2.3) * (v - 2.3) / 0.02));
        assertEquals(2.3, x, 1e-3);
    }

    @Test
    void minimumOutsideTheBracketStopsAtItsEdge() {
        assertEquals(TemperatureFitter.LOG_T_MAX, TemperatureFitter.minimiseLogT(v -> -v), 1e-6);
        assertEquals(TemperatureFitter.LOG_T_MIN, TemperatureFitter.minimiseLogT(v -> v), 1e-6);
    }

    @Test
    void degenerateInputIsAClearError() {
        double[][][] two = {{{1, 2}}, {{2, 1}}};
        assertMessage("no labelled rows", new double[0][][], new int[0]);
        assertMessage("same true class ('a')", two, new int[] {0, 0});
        assertMessage("non-finite logit (NaN)", new double[][][] {{{1, 2}}, {{Double.NaN, 1}}}, new int[] {0, 1});
        assertMessage("non-finite logit (Infinity)", new double[][][] {{{1, Double.POSITIVE_INFINITY}}, {{2, 1}}},
                new int[] {0, 1});
        assertMessage("outside [0, 2)", two, new int[] {0, 2});
        assertMessage("at least two classes", new double[][][] {{{1}}, {{2}}}, new int[] {0, 0});
        assertMessage("has 3 logits, expected 2", new double[][][] {{{1, 2}}, {{2, 1, 0}}}, new int[] {0, 1});
    }

    private static void assertMessage(String expected, double[][][] z, int[] y) {
        List<String> labels = new ArrayList<>(List.of("a", "b", "c").subList(0, z.length == 0 ? 2
                : Math.min(2, z[0][0].length)));
        for (CalibrationMethod method : CalibrationMethod.values()) {
            CalibrationException e = assertThrows(CalibrationException.class,
                    () -> TemperatureFitter.fit(new LabelledLogits(labels, z, y, List.of()), method));
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        }
    }
}
