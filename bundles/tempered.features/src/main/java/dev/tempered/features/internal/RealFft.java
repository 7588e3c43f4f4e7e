package dev.tempered.features.internal;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Real-input FFT of one even length, with numpy's conventions ({@code rfft}: X[k] = Σ x[j]·e^(-2πijk/n),
 * k = 0..n/2; {@code irfft}: the inverse, scaled by 1/n, ignoring the imaginary parts of DC and Nyquist).
 * Not thread-safe: it owns a scratch buffer; make one per thread.
 */
final class RealFft {
    private final int n;
    private final DoubleFFT_1D fft;
    private final double[] buf;

    RealFft(int n) {
        if (n < 2 || n % 2 != 0) {
            throw new IllegalArgumentException("FFT length must be even and >= 2: " + n);
        }
        this.n = n;
        this.fft = new DoubleFFT_1D(n);
        this.buf = new double[n];
    }

    int size() {
        return n;
    }

    /** Forward transform of {@code x[0..n)} into {@code re, im[0..n/2]}; {@code x} is left untouched. */
    void forward(double[] x, double[] re, double[] im) {
        System.arraycopy(x, 0, buf, 0, n);
        fft.realForward(buf);
        int half = n / 2;
        re[0] = buf[0];
        im[0] = 0;
        re[half] = buf[1];
        im[half] = 0;
        for (int k = 1; k < half; k++) {
            re[k] = buf[2 * k];
            im[k] = buf[2 * k + 1];
        }
    }

    /** Inverse transform of the half spectrum {@code re, im[0..n/2]} into {@code out[0..n)}. */
    void inverse(double[] re, double[] im, double[] out) {
        int half = n / 2;
        out[0] = re[0];
        out[1] = re[half];
        for (int k = 1; k < half; k++) {
            out[2 * k] = re[k];
            out[2 * k + 1] = im[k];
        }
        fft.realInverse(out, true);
    }
}
