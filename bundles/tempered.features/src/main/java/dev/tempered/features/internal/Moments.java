package dev.tempered.features.internal;

/** Mean and population variance (numpy's var, ddof = 0). */
record Moments(double mean, double variance) {

    static Moments of(double[] x) {
        Accumulator acc = new Accumulator();
        for (double v : x) {
            acc.add(v);
        }
        return acc.result();
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
