package dev.tempered.calibration.internal;

/** Numerically stable softmax, log-softmax and entropy over one logit vector. */
final class Softmax {
    private Softmax() {
    }

    /** {@code log sum exp(z / t)}, shifted by the maximum so large logits cannot overflow. */
    static double logSumExp(double[] z, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v / t);
        }
        double s = 0;
        for (double v : z) {
            s += Math.exp(v / t - max);
        }
        return max + Math.log(s);
    }

    /** softmax(z / t) written into {@code out}. */
    static void probabilities(double[] z, double t, double[] out) {
        double lse = logSumExp(z, t);
        for (int c = 0; c < z.length; c++) {
            out[c] = Math.exp(z[c] / t - lse);
        }
    }

    /** The mean over members of softmax(z_m / t): the MEMBER_T ensemble distribution. */
    static double[] memberMean(double[][] members, double t) {
        int classes = members[0].length;
        double[] mean = new double[classes];
        double[] p = new double[classes];
        for (double[] z : members) {
            probabilities(z, t, p);
            for (int c = 0; c < classes; c++) {
                mean[c] += p[c];
            }
        }
        for (int c = 0; c < classes; c++) {
            mean[c] /= members.length;
        }
        return mean;
    }

    /** Entropy in nats; 0 log 0 counts as 0. */
    static double entropy(double[] p) {
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h;
    }
}
