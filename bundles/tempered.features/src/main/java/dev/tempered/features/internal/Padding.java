package dev.tempered.features.internal;

/** numpy.pad modes used by librosa when it centres frames. */
enum Padding {
    /** Mirror without repeating the edge sample (numpy 'reflect'): librosa before 0.10. */
    REFLECT,
    /** Zeros (numpy 'constant'): librosa 0.10 and later. */
    CONSTANT,
    /** Repeat the edge sample (numpy 'edge'): librosa's zero-crossing rate in every version. */
    EDGE;

    /** Returns {@code y} with {@code pad} samples added on each side, as doubles. */
    double[] pad(float[] y, int pad) {
        int n = y.length;
        double[] out = new double[n + 2 * pad];
        for (int i = 0; i < n; i++) {
            out[pad + i] = y[i];
        }
        if (this == CONSTANT) {
            return out;
        }
        for (int i = 1; i <= pad; i++) {
            out[pad - i] = y[sourceIndex(-i, n)];
            out[pad + n - 1 + i] = y[sourceIndex(n - 1 + i, n)];
        }
        return out;
    }

    /** Which sample of a length-{@code n} signal numpy copies to the out-of-range index {@code i}. */
    private int sourceIndex(int i, int n) {
        if (this == EDGE || n == 1) {
            return i < 0 ? 0 : Math.min(i, n - 1);
        }
        // numpy reflects repeatedly when the pad is longer than the signal: the pattern has period 2(n-1).
        int period = 2 * (n - 1);
        int m = Math.floorMod(i, period);
        return m < n ? m : period - m;
    }
}
