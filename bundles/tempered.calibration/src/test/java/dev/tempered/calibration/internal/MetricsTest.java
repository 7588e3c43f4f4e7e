package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static final double EPS = 1e-12;
    private final Metrics metrics = new Metrics();

    /*
     * Five rows, two classes, four equal-width bins (0,.25] (.25,.5] (.5,.75] (.75,1]:
     *   row  p           y  conf  correct  bin
     *   0    .9  .1      0  .9    yes      3
     *   1    .8  .2      1  .8    no       3
     *   2    .4  .6      1  .6    yes      2
     *   3    .3  .7      0  .7    no       2
     *   4    .55 .45     0  .55   yes      2
     * bin 3: acc 1/2, conf .85, gap .35; bin 2: acc 2/3, conf 1.85/3, gap .05.
     */
    private static final double[][] P = {{.9, .1}, {.8, .2}, {.4, .6}, {.3, .7}, {.55, .45}};
    private static final int[] Y = {0, 1, 1, 0, 0};

    private double m(Metric metric) {
        return metrics.compute(metric, P, Y, 4);
    }

    @Test
    void accuracyCountsTopLabelHits() {
        assertEquals(0.6, m(Metric.ACCURACY), EPS);
    }

    @Test
    void nllIsMeanNegativeLogOfTrueClass() {
        double expected = -(Math.log(.9) + Math.log(.2) + Math.log(.6) + Math.log(.3) + Math.log(.55)) / 5;
        assertEquals(expected, m(Metric.NLL), EPS);
    }

    @Test
    void nllOfZeroProbabilityIsFloored() {
        double v = metrics.compute(Metric.NLL, new double[][] {{1, 0}}, new int[] {1}, 15);
        assertEquals(-Math.log(Metrics.NLL_FLOOR), v, 1e-9);
    }

    @Test
    void tinyProbabilitiesCountInFull() {
        // A confident mistake must cost what its log-probability says, as in a log-space computation.
        double v = metrics.compute(Metric.NLL, new double[][] {{1 - 1e-20, 1e-20}}, new int[] {1}, 15);
        assertEquals(20 * Math.log(10), v, 1e-9);
    }

    @Test
    void brierSumsSquaredErrorsOverClasses() {
        // .02 + 1.28 + .32 + .98 + .405 = 3.005
        assertEquals(3.005 / 5, m(Metric.BRIER), EPS);
    }

    @Test
    void eceWeightsBinGapsBySize() {
        // (2 * .35 + 3 * .05) / 5
        assertEquals(0.17, m(Metric.ECE), EPS);
    }

    @Test
    void mceIsLargestBinGap() {
        assertEquals(0.35, m(Metric.MCE), EPS);
    }

    @Test
    void maeIsUnweightedMeanOverNonEmptyBins() {
        assertEquals((0.35 + 0.05) / 2, m(Metric.MAE), EPS);
    }

    @Test
    void equalMassEceCutsSortedRowsIntoGroups() {
        // sorted conf .55 .6 .7 | .8 .9 -> groups {.55} {.6} {.7} {.8, .9}: gaps .45 .4 .7 |1 - 1.7|
        assertEquals((0.45 + 0.4 + 0.7 + 0.7) / 5, m(Metric.ECE_EQUAL_MASS), EPS);
    }

    @Test
    void classwiseEceAveragesPerClassEce() {
        // class 0: bins {.9,.8}->|1-1.7|, {.4,.3}->|1-.7|, {.55}->|1-.55|: 1.45/5; class 1 likewise 1.45/5
        assertEquals(0.29, m(Metric.CLASSWISE_ECE), EPS);
    }

    @Test
    void binsAreRightClosedWithZeroInTheFirst() {
        assertEquals(0, Metrics.bin(0.0, 2));
        assertEquals(0, Metrics.bin(0.5, 2));
        assertEquals(1, Metrics.bin(0.5000001, 2));
        assertEquals(1, Metrics.bin(1.0, 2));
        assertEquals(14, Metrics.bin(1.0, 15));
        assertEquals(0, Metrics.bin(1.0 / 15, 15));
    }

    @Test
    void reliabilityDiagramListsEveryBin() {
        ReliabilityDiagram d = metrics.reliability(P, Y, 4);
        assertEquals(4, d.bins().size());
        assertEquals(0, d.bins().get(0).count());
        assertTrue(Double.isNaN(d.bins().get(0).accuracy()));
        assertEquals(3, d.bins().get(2).count());
        assertEquals(2.0 / 3, d.bins().get(2).accuracy(), EPS);
        assertEquals(1.85 / 3, d.bins().get(2).confidence(), EPS);
        assertEquals(0.5, d.bins().get(3).accuracy(), EPS);
        assertEquals(0.5, d.bins().get(1).upper(), EPS);
        assertEquals(0.75, d.bins().get(3).lower(), EPS);
    }

    @Test
    void perfectlyCalibratedBinsHaveNoError() {
        // Confidence .75 in every row, three of four right.
        double[][] p = {{.75, .25}, {.75, .25}, {.75, .25}, {.25, .75}};
        int[] y = {0, 0, 1, 1};
        assertEquals(0, metrics.compute(Metric.ECE, p, y, 15), EPS);
        assertEquals(0, metrics.compute(Metric.MAE, p, y, 15), EPS);
    }

    @Test
    void withoutResamplesTheIntervalIsThePoint() {
        Map<Metric, MetricValue> v = metrics.evaluate(P, Y, 4, 0, 0.95, 1);
        assertEquals(Metric.values().length, v.size());
        for (MetricValue mv : v.values()) {
            assertEquals(mv.value(), mv.lower());
            assertEquals(mv.value(), mv.upper());
            assertEquals(m(mv.metric()), mv.value(), EPS);
        }
    }

    @Test
    void bootstrapIntervalOfAccuracyHasBinomialWidth() {
        int n = 400;
        double[][] p = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = new double[] {.7, .3};
            y[i] = i % 2;
        }
        MetricValue acc = metrics.evaluate(p, y, 15, 2000, 0.95, 42).get(Metric.ACCURACY);
        assertEquals(0.5, acc.value(), EPS);
        // Normal approximation: 2 * 1.96 * sqrt(.25 / 400) = 0.098
        double width = acc.upper() - acc.lower();
        assertTrue(width > 0.08 && width < 0.12, "width " + width);
        assertTrue(acc.lower() < 0.5 && acc.upper() > 0.5);
    }

    @Test
    void bootstrapIsReproducibleWithItsSeed() {
        double[][] p = new double[200][];
        int[] y = new int[200];
        Random r = new Random(3);
        for (int i = 0; i < p.length; i++) {
            double a = r.nextDouble();
            p[i] = new double[] {a, 1 - a};
            y[i] = r.nextDouble() < a ? 0 : 1;
        }
        Map<Metric, MetricValue> a = metrics.evaluate(p, y, 10, 300, 0.9, 7);
        Map<Metric, MetricValue> b = metrics.evaluate(p, y, 10, 300, 0.9, 7);
        Map<Metric, MetricValue> c = metrics.evaluate(p, y, 10, 300, 0.9, 8);
        assertEquals(a, b);
        assertNotEquals(a.get(Metric.ECE).lower(), c.get(Metric.ECE).lower());
        for (MetricValue v : a.values()) {
            assertTrue(v.lower() <= v.upper(), v.toString());
        }
    }

    @Test
    void quantileInterpolatesBetweenOrderStatistics() {
        double[] s = {1, 2, 3, 4};
        assertEquals(2.5, Metrics.quantile(s, 0.5), EPS);
        assertEquals(1, Metrics.quantile(s, 0), EPS);
        assertEquals(4, Metrics.quantile(s, 1), EPS);
        assertEquals(1.075, Metrics.quantile(s, 0.025), EPS);
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> metrics.compute(Metric.ECE, new double[0][], new int[0], 15));
        assertThrows(IllegalArgumentException.class, () -> metrics.compute(Metric.ECE, P, new int[] {0}, 15));
        assertThrows(IllegalArgumentException.class, () -> metrics.compute(Metric.ECE, P, Y, 0));
        assertThrows(IllegalArgumentException.class,
                () -> metrics.compute(Metric.ECE, new double[][] {{.5, .5}}, new int[] {2}, 15));
        assertThrows(IllegalArgumentException.class,
                () -> metrics.compute(Metric.NLL, new double[][] {{Double.NaN, .5}}, new int[] {0}, 15));
    }
}
