package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Histogram binning and isotonic regression on hand-computed cases. */
class BaselinesTest {
    /** Two classes; p(class 0) = 0.1, 0.2, 0.3, 0.4, 0.9 with class-0 indicator 0, 1, 0, 1, 1. */
    private static final double[][] P = {{0.1, 0.9}, {0.2, 0.8}, {0.3, 0.7}, {0.4, 0.6}, {0.9, 0.1}};
    private static final int[] Y = {1, 0, 1, 0, 0};

    @Test
    void isotonicPoolsAdjacentViolators() {
        Baselines.Map m = Baselines.isotonic(P, Y);
        // class 0: levels 0 | (1, 0) pooled to 0.5 | 1 | 1
        assertEquals(0.0, m.apply(0, 0.1), 1e-12);
        assertEquals(0.5, m.apply(0, 0.2), 1e-12);
        assertEquals(0.5, m.apply(0, 0.3), 1e-12);
        assertEquals(1.0, m.apply(0, 0.4), 1e-12);
        assertEquals(1.0, m.apply(0, 0.95), 1e-12);
        assertEquals(0.5, m.apply(0, 0.25), 1e-12, "between points: the step of the point below");
        assertEquals(0.0, m.apply(0, 0.01), 1e-12, "below the first point: the first step");
        // class 1 sees p = 0.1, 0.6, 0.7, 0.8, 0.9 with indicator 0, 0, 1, 0, 1: (1, 0) pooled
        assertEquals(0.5, m.apply(1, 0.7), 1e-12);
        assertEquals(0.5, m.apply(1, 0.8), 1e-12);
        assertEquals(1.0, m.apply(1, 0.9), 1e-12);
    }

    @Test
    void histogramBinningMapsToBinFrequency() {
        // 2 bins: (0, 0.5] and (0.5, 1]. Class 0: bin 0 holds 0.1, 0.2, 0.3, 0.4 with 2 of 4 of class 0.
        Baselines.Map m = Baselines.histogramBinning(P, Y, 2);
        assertEquals(0.5, m.apply(0, 0.3), 1e-12);
        assertEquals(1.0, m.apply(0, 0.9), 1e-12);
        // class 1: bin 0 holds 0.1 (not class 1) -> 0; bin 1 holds 0.6..0.9, 2 of 4 class 1 -> 0.5
        assertEquals(0.0, m.apply(1, 0.1), 1e-12);
        assertEquals(0.5, m.apply(1, 0.8), 1e-12);
    }

    @Test
    void applyRenormalisesRows() {
        Baselines.Map m = Baselines.histogramBinning(P, Y, 2);
        double[][] q = Baselines.apply(m, new double[][] {{0.3, 0.7}, {0.9, 0.1}});
        assertArrayEquals(new double[] {0.5, 0.5}, q[0], 1e-12);   // 0.5 and 0.5
        assertArrayEquals(new double[] {1.0, 0.0}, q[1], 1e-12);   // 1.0 and 0.0
        Baselines.Map zero = (k, p) -> 0;
        assertArrayEquals(new double[] {0.5, 0.5}, Baselines.apply(zero, new double[][] {{0.2, 0.8}})[0], 0);
    }
}
