package dev.tempered.features.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The numeric building blocks against hand-computed values and independent reference computations. */
class BuildingBlocksTest {
    private static final int SR = 22050;
    private static final double BIN_HZ = SR / 2048.0;

    @Test
    void realFftMatchesDirectDftAndInverts() {
        Random rnd = new Random(1);
        for (int n : new int[] {2, 16, 2048}) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = rnd.nextGaussian();
            }
            RealFft fft = new RealFft(n);
            double[] re = new double[n / 2 + 1];
            double[] im = new double[n / 2 + 1];
            fft.forward(x, re, im);
            for (int k = 0; k <= n / 2; k += Math.max(1, n / 64)) {
                double sr = 0;
                double si = 0;
                for (int j = 0; j < n; j++) {
                    sr += x[j] * Math.cos(2 * Math.PI * j * k / n);
                    si -= x[j] * Math.sin(2 * Math.PI * j * k / n);
                }
                assertEquals(sr, re[k], 1e-9, "Re X[" + k + "], n=" + n);
                assertEquals(si, im[k], 1e-9, "Im X[" + k + "], n=" + n);
            }
            double[] back = new double[n];
            fft.inverse(re, im, back);
            assertArrayEquals(x, back, 1e-12);
        }
        assertThrows(IllegalArgumentException.class, () -> new RealFft(15));
    }

    @Test
    void paddingFollowsNumpy() {
        float[] y = {1, 2, 3, 4};
        assertArrayEquals(new double[] {3, 2, 1, 2, 3, 4, 3, 2}, Padding.REFLECT.pad(y, 2));
        assertArrayEquals(new double[] {1, 1, 1, 2, 3, 4, 4, 4}, Padding.EDGE.pad(y, 2));
        assertArrayEquals(new double[] {0, 0, 1, 2, 3, 4, 0, 0}, Padding.CONSTANT.pad(y, 2));
        // Longer than the signal: numpy keeps reflecting (np.pad([1,2,3], 5, 'reflect')).
        assertArrayEquals(new double[] {2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2},
                Padding.REFLECT.pad(new float[] {1, 2, 3}, 5));
    }

    @Test
    void hannWindowIsPeriodic() {
        double[] w = Windows.hann(8);
        assertArrayEquals(new double[] {0, 0.1464466, 0.5, 0.8535534, 1, 0.8535534, 0.5, 0.1464466}, w, 1e-7);
    }

    @Test
    void slaneyMelScale() {
        assertEquals(15.0, MelFilterbank.hzToMel(1000), 1e-12);
        assertEquals(7.5, MelFilterbank.hzToMel(500), 1e-12);
        // Above 1 kHz: 27 mels per factor 6.4.
        assertEquals(42.0, MelFilterbank.hzToMel(6400), 1e-9);
        for (double hz : new double[] {0, 123.4, 999.9, 1000, 4321, 11025}) {
            assertEquals(hz, MelFilterbank.melToHz(MelFilterbank.hzToMel(hz)), 1e-9);
        }
    }

    @Test
    void slaneyFiltersAreUnitAreaTriangles() {
        MelFilterbank fb = MelFilterbank.slaney(SR, 2048, 128, 0, SR / 2.0);
        double[] edges = MelFilterbank.melFrequencies(130, 0, SR / 2.0);
        for (int m = 0; m < 128; m++) {
            double area = 0;
            double peak = 0;
            int peakBin = -1;
            for (int k = 0; k < 1025; k++) {
                double w = fb.weight(m, k);
                assertTrue(w >= 0);
                double f = k * BIN_HZ;
                if (f <= edges[m] || f >= edges[m + 2]) {
                    assertEquals(0.0, w, 0.0, "filter " + m + " outside its band at bin " + k);
                }
                area += w * BIN_HZ;
                if (w > peak) {
                    peak = w;
                    peakBin = k;
                }
            }
            double height = 2.0 / (edges[m + 2] - edges[m]);
            assertTrue(peak <= height * (1 + 1e-12), "no weight above the triangle's apex");
            assertEquals(edges[m + 1], peakBin * BIN_HZ, BIN_HZ, "apex at the centre frequency");
            if (edges[m + 2] - edges[m] > 20 * BIN_HZ) {
                // Sampling a unit-area triangle on a grid much finer than its base keeps the area near 1.
                assertEquals(1.0, area, 0.01, "area of filter " + m);
            }
        }
    }

    @Test
    void dctIsOrthonormal() {
        Dct full = new Dct(128, 128);
        for (int a = 0; a < 128; a += 7) {
            for (int b = 0; b < 128; b += 5) {
                double dot = 0;
                for (int n = 0; n < 128; n++) {
                    dot += full.basis(a, n) * full.basis(b, n);
                }
                assertEquals(a == b ? 1.0 : 0.0, dot, 1e-12, "<" + a + "," + b + ">");
            }
        }
        double[] constant = new double[128];
        Arrays.fill(constant, 3.0);
        double[] c = new double[20];
        new Dct(128, 20).apply(constant, 0, c);
        assertEquals(3.0 * Math.sqrt(128), c[0], 1e-9);
        for (int k = 1; k < 20; k++) {
            assertEquals(0.0, c[k], 1e-9);
        }
        // scipy.fftpack.dct([1, 2, 3, 4], norm='ortho')[1] = -2.2304424973876635 (by hand: sqrt(1/2) Σ x cos)
        double[] x = {1, 2, 3, 4};
        double[] d = new double[2];
        new Dct(4, 2).apply(x, 0, d);
        assertEquals(5.0, d[0], 1e-12);
        double byHand = Math.sqrt(0.5) * (Math.cos(Math.PI / 8) + 2 * Math.cos(3 * Math.PI / 8)
                + 3 * Math.cos(5 * Math.PI / 8) + 4 * Math.cos(7 * Math.PI / 8));
        assertEquals(byHand, d[1], 1e-12);
        assertEquals(-2.2304424973876635, d[1], 1e-12);
    }

    @Test
    void momentsArePopulationMoments() {
        Moments m = Moments.of(new double[] {1, 2, 3, 4});
        assertEquals(2.5, m.mean(), 1e-15);
        assertEquals(1.25, m.variance(), 1e-15);
        // A large offset must not cost precision (one-pass update, no sum of squares).
        Moments shifted = Moments.of(new double[] {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4});
        assertEquals(1.25, shifted.variance(), 1e-6);
    }

    @Test
    void medianFilterMatchesScipyReflect() {
        // scipy.ndimage.median_filter([5, 1, 4, 2, 3], size=3, mode='reflect') = [5, 4, 2, 3, 3]
        float[] x = {5, 1, 4, 2, 3};
        float[] out = new float[5];
        new MedianFilter(3).filter(x, out, 0, 1, 5);
        assertArrayEquals(new float[] {5, 4, 2, 3, 3}, out);
        // Window wider than the line: scipy reflects repeatedly; ([3, 1, 2], size=7) = [2, 2, 2].
        float[] shortOut = new float[3];
        new MedianFilter(7).filter(new float[] {3, 1, 2}, shortOut, 0, 1, 3);
        assertArrayEquals(new float[] {2, 2, 2}, shortOut);
    }

    @Test
    void slidingMedianEqualsSortingEveryWindow() {
        Random rnd = new Random(7);
        int n = 500;
        int stride = 3;
        float[] src = new float[n * stride];
        for (int i = 0; i < src.length; i++) {
            // Few distinct values, so ties (the hard case for a sorted window) are common.
            src[i] = rnd.nextInt(20) / 4f;
        }
        float[] dst = new float[src.length];
        new MedianFilter(31).filter(src, dst, 1, stride, n);
        for (int i = 0; i < n; i++) {
            float[] w = new float[31];
            for (int j = -15; j <= 15; j++) {
                int idx = i + j;
                // Half-sample symmetric reflection, written out for the n > 15 case.
                if (idx < 0) {
                    idx = -idx - 1;
                } else if (idx >= n) {
                    idx = 2 * n - idx - 1;
                }
                w[j + 15] = src[1 + idx * stride];
            }
            Arrays.sort(w);
            assertEquals(w[15], dst[1 + i * stride], 0.0, "median at " + i);
        }
    }
}
