package dev.tempered.calibration.internal;

import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.osgi.service.component.annotations.Component;

/**
 * The calibration metrics as pure functions of (probabilities {@code p[n][K]}, true classes {@code y[n]}).
 *
 * <p>Definitions (n rows, K classes, B bins):
 * <ul>
 * <li>prediction {@code ŷ_i = argmax_k p_ik} (the first index on ties); confidence {@code c_i = p_iŷ}.</li>
 * <li>ACCURACY = (1/n) Σ 1[ŷ_i = y_i].</li>
 * <li>NLL = -(1/n) Σ ln max(p_iy, 2^-1022), in nats; the floor (the smallest normal double, so a term is at
 * most 708) only keeps an exact zero probability from making the mean infinite: any probability a softmax
 * can represent counts in full, as it does in a log-space computation.</li>
 * <li>BRIER = (1/n) Σ_i Σ_k (p_ik - 1[k = y_i])², in [0, 2].</li>
 * <li>Equal-width bins: bin b (0-based) holds the confidences in (b/B, (b+1)/B]; the first bin also holds
 * 0. Index {@code b = max(0, ceil(c·B) - 1)}. For a non-empty bin, acc_b is the fraction of its rows with
 * ŷ = y and conf_b the mean confidence of its rows.</li>
 * <li>ECE = Σ_b (n_b / n) |acc_b - conf_b| over equal-width bins.</li>
 * <li>ECE_EQUAL_MASS: rows sorted by confidence (ties kept in input order) are cut into B contiguous groups,
 * group b holding sorted positions [⌊b·n/B⌋, ⌊(b+1)·n/B⌋); then the ECE formula. Equal confidences may land
 * in neighbouring groups. With n &lt; B some groups are empty and are skipped.</li>
 * <li>MCE = max_b |acc_b - conf_b| over non-empty equal-width bins.</li>
 * <li>CLASSWISE_ECE = (1/K) Σ_k Σ_b (n_kb / n) |freq_kb - mean_kb| where, for class k, every row is binned
 * by p_ik into the same equal-width bins, freq_kb is the fraction of rows of bin b with y = k, and mean_kb
 * the mean of p_ik over the bin.</li>
 * <li>MAE (the 2023 paper's reliability-diagram error) = (1/|B'|) Σ_{b ∈ B'} |acc_b - conf_b| over the set B'
 * of non-empty equal-width bins: every drawn bar counts the same, however few rows it holds.</li>
 * </ul>
 * <p>Bootstrap: each resample draws n row indices uniformly with replacement ({@link SplittableRandom} seeded
 * with the given seed, so a report is reproducible); the interval is the percentile interval, i.e. the
 * (1-level)/2 and (1+level)/2 quantiles of the resampled values, linearly interpolated between order
 * statistics. Binned errors (ECE, MCE, MAE) are biased upwards on small samples, and a resample, which repeats
 * rows, behaves like a smaller sample: their bootstrap distribution sits above the point value, and for a
 * well-calibrated model the interval can even exclude it. Read their intervals as the spread of the estimator,
 * not as a bias-corrected range; compare models on the same rows.
 */
@Component(service = CalibrationMetrics.class)
public final class Metrics implements CalibrationMetrics {
    static final double NLL_FLOOR = Double.MIN_NORMAL;

    @Override
    public double compute(Metric metric, double[][] probabilities, int[] truth, int bins) {
        Rows rows = Rows.of(probabilities, truth, bins);
        return rows.metric(metric, identity(truth.length));
    }

    @Override
    public Map<Metric, MetricValue> evaluate(double[][] probabilities, int[] truth, int bins, int resamples,
            double level, long seed) {
        if (resamples < 0 || !(level > 0 && level < 1)) {
            throw new IllegalArgumentException("resamples must be >= 0 and level in (0, 1): " + resamples + ", "
                    + level);
        }
        Rows rows = Rows.of(probabilities, truth, bins);
        int n = truth.length;
        Metric[] metrics = Metric.values();
        double[][] samples = new double[metrics.length][resamples];
        SplittableRandom random = new SplittableRandom(seed);
        int[] idx = new int[n];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < n; i++) {
                idx[i] = random.nextInt(n);
            }
            for (int k = 0; k < metrics.length; k++) {
                samples[k][r] = rows.metric(metrics[k], idx);
            }
        }
        Map<Metric, MetricValue> out = new EnumMap<>(Metric.class);
        int[] all = identity(n);
        for (int k = 0; k < metrics.length; k++) {
            double value = rows.metric(metrics[k], all);
            if (resamples == 0) {
                out.put(metrics[k], new MetricValue(metrics[k], value, value, value));
            } else {
                double[] s = samples[k];
                Arrays.sort(s);
                out.put(metrics[k], new MetricValue(metrics[k], value, quantile(s, (1 - level) / 2),
                        quantile(s, (1 + level) / 2)));
            }
        }
        return out;
    }

    @Override
    public ReliabilityDiagram reliability(double[][] probabilities, int[] truth, int bins) {
        Rows rows = Rows.of(probabilities, truth, bins);
        int[] count = new int[bins];
        double[] correct = new double[bins];
        double[] conf = new double[bins];
        for (int i = 0; i < truth.length; i++) {
            int b = rows.bin[i];
            count[b]++;
            correct[b] += rows.correct[i] ? 1 : 0;
            conf[b] += rows.confidence[i];
        }
        List<ReliabilityDiagram.Bin> out = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            out.add(new ReliabilityDiagram.Bin((double) b / bins, (double) (b + 1) / bins, count[b],
                    count[b] == 0 ? Double.NaN : correct[b] / count[b],
                    count[b] == 0 ? Double.NaN : conf[b] / count[b]));
        }
        return new ReliabilityDiagram(out);
    }

    /** Linear interpolation between order statistics of a sorted sample (type 7). */
    static double quantile(double[] sorted, double q) {
        double h = (sorted.length - 1) * q;
        int lo = (int) Math.floor(h);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /** The equal-width bin of a value in [0, 1]: (b/B, (b+1)/B], with 0 in the first bin. */
    static int bin(double value, int bins) {
        int b = (int) Math.ceil(value * bins) - 1;
        return Math.max(0, Math.min(bins - 1, b));
    }

    private static int[] identity(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** Per-row quantities computed once, so bootstrap resamples only re-aggregate. */
    private static final class Rows {
        final double[][] p;
        final int[] y;
        final int bins;
        final double[] confidence;
        final boolean[] correct;
        final int[] bin;
        final double[] nll;
        final double[] brier;

        private Rows(double[][] p, int[] y, int bins) {
            this.p = p;
            this.y = y;
            this.bins = bins;
            int n = y.length;
            confidence = new double[n];
            correct = new boolean[n];
            bin = new int[n];
            nll = new double[n];
            brier = new double[n];
            for (int i = 0; i < n; i++) {
                int top = 0;
                double b = 0;
                for (int k = 0; k < p[i].length; k++) {
                    if (p[i][k] > p[i][top]) {
                        top = k;
                    }
                    double d = p[i][k] - (k == y[i] ? 1 : 0);
                    b += d * d;
                }
                confidence[i] = p[i][top];
                correct[i] = top == y[i];
                bin[i] = bin(confidence[i], bins);
                nll[i] = -Math.log(Math.max(p[i][y[i]], NLL_FLOOR));
                brier[i] = b;
            }
        }

        static Rows of(double[][] p, int[] y, int bins) {
            if (p.length != y.length) {
                throw new IllegalArgumentException(p.length + " probability rows but " + y.length + " labels");
            }
            if (p.length == 0) {
                throw new IllegalArgumentException("no rows to evaluate");
            }
            if (bins < 1) {
                throw new IllegalArgumentException("bins must be >= 1: " + bins);
            }
            int classes = p[0].length;
            for (int i = 0; i < p.length; i++) {
                if (p[i].length != classes) {
                    throw new IllegalArgumentException("row " + i + " has " + p[i].length + " classes, expected "
                            + classes);
                }
                if (y[i] < 0 || y[i] >= classes) {
                    throw new IllegalArgumentException("row " + i + ": true class " + y[i] + " outside [0, "
                            + classes + ")");
                }
                for (double v : p[i]) {
                    if (!(v >= 0 && v <= 1 + 1e-9)) {
                        throw new IllegalArgumentException("row " + i + ": probability " + v + " outside [0, 1]");
                    }
                }
            }
            return new Rows(p, y, bins);
        }

        double metric(Metric metric, int[] idx) {
            switch (metric) {
                case ACCURACY: {
                    double s = 0;
                    for (int i : idx) {
                        s += correct[i] ? 1 : 0;
                    }
                    return s / idx.length;
                }
                case NLL:
                    return mean(nll, idx);
                case BRIER:
                    return mean(brier, idx);
                case ECE:
                    return binned(idx, 0);
                case MCE:
                    return binned(idx, 1);
                case MAE:
                    return binned(idx, 2);
                case ECE_EQUAL_MASS:
                    return equalMass(idx);
                case CLASSWISE_ECE:
                    return classwise(idx);
                default:
                    throw new IllegalArgumentException("unknown metric " + metric);
            }
        }

        private static double mean(double[] v, int[] idx) {
            double s = 0;
            for (int i : idx) {
                s += v[i];
            }
            return s / idx.length;
        }

        /** kind 0: ECE, 1: MCE, 2: MAE over equal-width bins. */
        private double binned(int[] idx, int kind) {
            int[] count = new int[bins];
            double[] acc = new double[bins];
            double[] conf = new double[bins];
            for (int i : idx) {
                count[bin[i]]++;
                acc[bin[i]] += correct[i] ? 1 : 0;
                conf[bin[i]] += confidence[i];
            }
            double ece = 0;
            double mce = 0;
            double sum = 0;
            int nonEmpty = 0;
            for (int b = 0; b < bins; b++) {
                if (count[b] > 0) {
                    double gap = Math.abs(acc[b] - conf[b]) / count[b];
                    ece += gap * count[b] / idx.length;
                    mce = Math.max(mce, gap);
                    sum += gap;
                    nonEmpty++;
                }
            }
            return kind == 0 ? ece : kind == 1 ? mce : sum / nonEmpty;
        }

        private double equalMass(int[] idx) {
            Integer[] order = new Integer[idx.length];
            for (int k = 0; k < idx.length; k++) {
                order[k] = idx[k];
            }
            // A stable sort, so equal confidences keep the input order and results are reproducible.
            Arrays.sort(order, (a, b) -> Double.compare(confidence[a], confidence[b]));
            int n = order.length;
            double ece = 0;
            for (int b = 0; b < bins; b++) {
                int from = (int) ((long) b * n / bins);
                int to = (int) ((long) (b + 1) * n / bins);
                if (to > from) {
                    double acc = 0;
                    double conf = 0;
                    for (int k = from; k < to; k++) {
                        acc += correct[order[k]] ? 1 : 0;
                        conf += confidence[order[k]];
                    }
                    ece += Math.abs(acc - conf) / n;
                }
            }
            return ece;
        }

        private double classwise(int[] idx) {
            int classes = p[0].length;
            double total = 0;
            int[] count = new int[bins];
            double[] freq = new double[bins];
            double[] mean = new double[bins];
            for (int k = 0; k < classes; k++) {
                Arrays.fill(count, 0);
                Arrays.fill(freq, 0);
                Arrays.fill(mean, 0);
                for (int i : idx) {
                    int b = bin(p[i][k], bins);
                    count[b]++;
                    freq[b] += y[i] == k ? 1 : 0;
                    mean[b] += p[i][k];
                }
                double ece = 0;
                for (int b = 0; b < bins; b++) {
                    ece += Math.abs(freq[b] - mean[b]) / idx.length;
                }
                total += ece;
            }
            return total / classes;
        }
    }
}
