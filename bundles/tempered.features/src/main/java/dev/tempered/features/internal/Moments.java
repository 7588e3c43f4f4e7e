package dev.tempered.features.internal;

/** Mean and population variance (numpy's var, ddof = 0). */
record Moments(double mean, double variance) {

    /** Two passes, as numpy: the mean, then the mean squared deviation from it. */
    static Moments of(double[] x) {
        if (x.length == 0) {
            return new Moments(Double.NaN, Double.NaN);
        }
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double mean = sum / x.length;
        double ss = 0;
        for (double v : x) {
            double d = v - mean;
            ss += d * d;
        }
        return new Moments(mean, ss / x.length);
    }

    void store(double[] out, int at) {
        out[at] = mean;
        out[at + 1] = variance;
    }

    /** Welford's running update: one pass, no cancellation when the mean dwarfs the spread. */
    static final class Accumulator {
        private long n;
        private double mean;
        private double m2;

        void add(double v) {
            n++;
            double d = v - mean;
            mean += d / n;
            m2 += d * (v - mean);
        }

        Moments result() {
            return n == 0 ? new Moments(Double.NaN, Double.NaN) : new Moments(mean, m2 / n);
        }
    }
}
