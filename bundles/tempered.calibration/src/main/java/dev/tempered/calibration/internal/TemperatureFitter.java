package dev.tempered.calibration.internal;

import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.TemperatureFit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * Fits temperature-scaling parameters by minimising the mean negative log-likelihood of the true labels.
 *
 * <p>Single temperatures are searched over {@code log T} in [{@value #LOG_T_MIN}, {@value #LOG_T_MAX}]
 * (T from 0.018 to 54.6): a coarse grid first, so that a flat or bumpy NLL cannot make the search miss the
 * basin, then golden-section search between the grid neighbours of the best point. The NLL of a single T is
 * convex in 1/T for one member, but not necessarily for an average over members, hence the grid.
 */
public final class TemperatureFitter {
    static final double LOG_T_MIN = -4;
    static final double LOG_T_MAX = 4;
    private static final int GRID = 41;
    private static final double TOLERANCE = 1e-6;

    private TemperatureFitter() {
    }

    /** Fits the parameters of {@code method} on {@code data}. */
    public static TemperatureFit fit(LabelledLogits data, CalibrationMethod method) throws CalibrationException {
        double[][][] z = data.logits();
        int[] y = data.truth();
        validate(z, y, data.labels(), data.rowNames());
        double before = nllMemberT(z, y, 1);
        switch (method) {
            case MEMBER_T: {
                double t = Math.exp(minimiseLogT(logT -> nllMemberT(z, y, Math.exp(logT))));
                return new TemperatureFit(method, t, List.of(t), before, nllMemberT(z, y, t), y.length);
            }
            case POOLED_T: {
                double[][] logPbar = logMeanProbabilities(z);
                double t = Math.exp(minimiseLogT(logT -> nllSingle(logPbar, y, Math.exp(logT))));
                return new TemperatureFit(method, t, List.of(t), before, nllSingle(logPbar, y, t), y.length);
            }
            case PER_MEMBER_T: {
                int members = z[0].length;
                double[] ts = new double[members];
                List<Double> params = new ArrayList<>();
                double logSum = 0;
                for (int m = 0; m < members; m++) {
                    double[][] single = member(z, m);
                    ts[m] = Math.exp(minimiseLogT(logT -> nllSingle(single, y, Math.exp(logT))));
                    params.add(ts[m]);
                    logSum += Math.log(ts[m]);
                }
                return new TemperatureFit(method, Math.exp(logSum / members), params, before,
                        nllPerMember(z, y, ts), y.length);
            }
            case VECTOR_SCALING:
                return VectorScaling.fit(logMeanProbabilities(z), y, before, data.labels());
            default:
                throw new IllegalArgumentException("unknown method " + method);
        }
    }

    /** The calibrated distribution of one row's {@code [members][classes]} logits under fitted parameters. */
    static double[] apply(double[][] members, TemperatureFit fit) {
        int classes = members[0].length;
        switch (fit.method()) {
            case MEMBER_T:
                return Softmax.memberMean(members, fit.temperature());
            case POOLED_T: {
                double[] p = new double[classes];
                Softmax.probabilities(logMeanProbabilities(new double[][][] {members})[0], fit.temperature(), p);
                return p;
            }
            case PER_MEMBER_T: {
                double[] p = new double[classes];
                double[] q = new double[classes];
                for (int m = 0; m < members.length; m++) {
                    Softmax.probabilities(members[m], fit.parameters().get(m), q);
                    for (int c = 0; c < classes; c++) {
                        p[c] += q[c] / members.length;
                    }
                }
                return p;
            }
            case VECTOR_SCALING:
                return VectorScaling.apply(logMeanProbabilities(new double[][][] {members})[0], fit.parameters());
            default:
                throw new IllegalArgumentException("unknown method " + fit.method());
        }
    }

    /** Rejects what no temperature can be fitted on, naming the offending row. */
    static void validate(double[][][] z, int[] y, List<String> labels, List<String> names)
            throws CalibrationException {
        if (z.length == 0) {
            throw new CalibrationException("no labelled rows to fit a temperature on");
        }
        int members = z[0].length;
        if (members == 0) {
            throw new CalibrationException("row " + rowName(0, names) + " has no members");
        }
        int classes = z[0][0].length;
        if (classes < 2) {
            throw new CalibrationException("at least two classes are needed, got " + classes);
        }
        if (!labels.isEmpty() && labels.size() != classes) {
            throw new CalibrationException(labels.size() + " labels but " + classes + " logits per member");
        }
        int first = -1;
        boolean twoClasses = false;
        for (int i = 0; i < z.length; i++) {
            if (z[i].length != members) {
                throw new CalibrationException("row " + rowName(i, names) + " has " + z[i].length
                        + " members, expected " + members);
            }
            if (y[i] < 0 || y[i] >= classes) {
                throw new CalibrationException("row " + rowName(i, names) + " has true class " + y[i]
                        + ", outside [0, " + classes + ")");
            }
            for (int m = 0; m < members; m++) {
                if (z[i][m].length != classes) {
                    throw new CalibrationException("row " + rowName(i, names) + " member " + m + " has "
                            + z[i][m].length + " logits, expected " + classes);
                }
                for (int c = 0; c < classes; c++) {
                    if (!Double.isFinite(z[i][m][c])) {
                        throw new CalibrationException("row " + rowName(i, names) + " member " + m + " class "
                                + c + " has a non-finite logit (" + z[i][m][c] + ")");
                    }
                }
            }
            if (first < 0) {
                first = y[i];
            } else if (y[i] != first) {
                twoClasses = true;
            }
        }
        if (!twoClasses) {
            String label = labels.isEmpty() ? "class " + first : "'" + labels.get(first) + "'";
            throw new CalibrationException("every row has the same true class (" + label
                    + "): a temperature fitted on one class only would be meaningless");
        }
    }

    private static String rowName(int i, List<String> names) {
        return i < names.size() ? i + " (" + names.get(i) + ")" : Integer.toString(i);
    }

    /**
     * Minimises f over log T in [LOG_T_MIN, LOG_T_MAX]: the best of a uniform grid, refined by golden-section
     * search between its neighbours.
     */
    static double minimiseLogT(DoubleUnaryOperator f) {
        double step = (LOG_T_MAX - LOG_T_MIN) / (GRID - 1);
        int best = 0;
        double bestValue = Double.POSITIVE_INFINITY;
        for (int i = 0; i < GRID; i++) {
            double v = f.applyAsDouble(LOG_T_MIN + i * step);
            if (v < bestValue) {
                bestValue = v;
                best = i;
            }
        }
        double a = LOG_T_MIN + Math.max(0, best - 1) * step;
        double b = LOG_T_MIN + Math.min(GRID - 1, best + 1) * step;
        double invPhi = (Math.sqrt(5) - 1) / 2;
        double c = b - invPhi * (b - a);
        double d = a + invPhi * (b - a);
        double fc = f.applyAsDouble(c);
        double fd = f.applyAsDouble(d);
        while (b - a > TOLERANCE) {
            if (fc < fd) {
                b = d;
                d = c;
                fd = fc;
                c = b - invPhi * (b - a);
                fc = f.applyAsDouble(c);
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + invPhi * (b - a);
                fd = f.applyAsDouble(d);
            }
        }
        double x = (a + b) / 2;
        // The grid's best point can beat the refinement when the minimum sits on the interval's edge.
        return f.applyAsDouble(x) <= bestValue ? x : LOG_T_MIN + best * step;
    }

    /** Mean NLL of mean_m softmax(z_m / t) (MEMBER_T). */
    public static double nllMemberT(double[][][] z, int[] y, double t) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            int members = z[i].length;
            double max = Double.NEGATIVE_INFINITY;
            double[] logP = new double[members];
            for (int m = 0; m < members; m++) {
                logP[m] = z[i][m][y[i]] / t - Softmax.logSumExp(z[i][m], t);
                max = Math.max(max, logP[m]);
            }
            double s = 0;
            for (int m = 0; m < members; m++) {
                s += Math.exp(logP[m] - max);
            }
            sum -= max + Math.log(s / members);
        }
        return sum / z.length;
    }

    /** Mean NLL of softmax(x / t) for one logit vector per row. */
    static double nllSingle(double[][] x, int[] y, double t) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Softmax.logSumExp(x[i], t) - x[i][y[i]] / t;
        }
        return sum / x.length;
    }

    /** Mean NLL of mean_m softmax(z_m / t_m). */
    static double nllPerMember(double[][][] z, int[] y, double[] ts) {
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            double p = 0;
            for (int m = 0; m < ts.length; m++) {
                p += Math.exp(z[i][m][y[i]] / ts[m] - Softmax.logSumExp(z[i][m], ts[m]));
            }
            sum -= Math.log(p / ts.length);
        }
        return sum / z.length;
    }

    /** log of mean_m softmax(z_m), computed in log space so it stays finite. */
    static double[][] logMeanProbabilities(double[][][] z) {
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            int members = z[i].length;
            int classes = z[i][0].length;
            double[] lse = new double[members];
            for (int m = 0; m < members; m++) {
                lse[m] = Softmax.logSumExp(z[i][m], 1);
            }
            out[i] = new double[classes];
            for (int c = 0; c < classes; c++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int m = 0; m < members; m++) {
                    max = Math.max(max, z[i][m][c] - lse[m]);
                }
                double s = 0;
                for (int m = 0; m < members; m++) {
                    s += Math.exp(z[i][m][c] - lse[m] - max);
                }
                out[i][c] = max + Math.log(s / members);
            }
        }
        return out;
    }

    private static double[][] member(double[][][] z, int m) {
        double[][] out = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i][m];
        }
        return out;
    }
}
