package dev.tempered.features.internal;

/** Analysis windows. */
final class Windows {
    private Windows() {
    }

    /** The periodic ("fftbins=True") Hann window of scipy.signal.get_window('hann', n). */
    static double[] hann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        return w;
    }
}
