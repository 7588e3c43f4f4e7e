package dev.tempered.calibration.internal;

import java.util.Arrays;

/**
 * The two non-parametric calibrators a netcal user would compare temperature scaling with, in netcal's
 * multiclass form: one map per class from p(class) to the frequency of the class (one-vs-rest), applied to
 * each class's probability and the row renormalised. Fitted on one set, applied to another. They are for the
 * study only; tagging keeps temperature scaling, which cannot change the top label and needs one number.
 */
final class Baselines {
    private Baselines() {
    }

    /** A fitted per-class map. */
    interface Map {
        double apply(int k, double p);
    }

    /**
     * Histogram binning (Zadrozny and Elkan 2001): equal-width bins over p(class); each bin maps to the fraction
     * of its fitting rows that are of the class. An empty bin keeps its centre, so the map stays defined.
     */
    static Map histogramBinning(double[][] p, int[] y, int bins) {
        int classes = p[0].length;
        double[][] value = new double[classes][bins];
        for (int k = 0; k < classes; k++) {
            int[] n = new int[bins];
            int[] hits = new int[bins];
            for (int i = 0; i < p.length; i++) {
                int b = Metrics.bin(p[i][k], bins);
                n[b]++;
                hits[b] += y[i] == k ? 1 : 0;
            }
            for (int b = 0; b < bins; b++) {
                value[k][b] = n[b] == 0 ? (b + 0.5) / bins : (double) hits[b] / n[b];
            }
        }
        return (k, q) -> value[k][Metrics.bin(q, bins)];
    }

    /**
     * Isotonic regression (Zadrozny and Elkan 2002): the non-decreasing step function of p(class) closest in
     * squared error to the class indicator, by pool-adjacent-violators; between fitted points the step of the
     * nearest point below is used, below the first point the first step.
     */
    static Map isotonic(double[][] p, int[] y) {
        int classes = p[0].length;
        double[][] xs = new double[classes][];
        double[][] fs = new double[classes][];
        for (int k = 0; k < classes; k++) {
            final int c = k;
            Integer[] order = new Integer[p.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(p[a][c], p[b][c]));
            double[] x = new double[p.length];
            double[] level = new double[p.length];
            double[] weight = new double[p.length];
            int[] end = new int[p.length];
            int blocks = 0;
            for (int j = 0; j < order.length; j++) {
                x[j] = p[order[j]][c];
                level[blocks] = y[order[j]] == c ? 1 : 0;
                weight[blocks] = 1;
                end[blocks] = j;
                blocks++;
                while (blocks > 1 && level[blocks - 2] > level[blocks - 1]) {
                    double w = weight[blocks - 2] + weight[blocks - 1];
                    level[blocks - 2] = (level[blocks - 2] * weight[blocks - 2] + level[blocks - 1] * weight[blocks - 1]) / w;
                    weight[blocks - 2] = w;
                    end[blocks - 2] = end[blocks - 1];
                    blocks--;
                }
            }
            double[] f = new double[p.length];
            for (int b = 0, j = 0; b < blocks; b++) {
                for (; j <= end[b]; j++) {
                    f[j] = level[b];
                }
            }
            xs[k] = x;
            fs[k] = f;
        }
        return (k, q) -> {
            int at = Arrays.binarySearch(xs[k], q);
            if (at < 0) {
                at = Math.max(0, -at - 2);
            } else {
                // the last of equal x values carries the pooled level
                while (at + 1 < xs[k].length && xs[k][at + 1] == q) {
                    at++;
                }
            }
            return fs[k][at];
        };
    }

    /** Each class's probability through the map, rows renormalised (a row mapped to all zeros becomes uniform). */
    static double[][] apply(Map map, double[][] p) {
        double[][] out = new double[p.length][];
        for (int i = 0; i < p.length; i++) {
            double[] q = new double[p[i].length];
            double sum = 0;
            for (int k = 0; k < q.length; k++) {
                q[k] = map.apply(k, p[i][k]);
                sum += q[k];
            }
            for (int k = 0; k < q.length; k++) {
                q[k] = sum > 0 ? q[k] / sum : 1.0 / q.length;
            }
            out[i] = q;
        }
        return out;
    }
}
