package dev.tempered.features.internal;

/**
 * librosa's {@code effects.hpss}: median-filter the magnitude spectrogram across time (harmonic) and across
 * frequency (percussive), both 31 wide with scipy's reflect boundary; Wiener-like soft masks
 * {@code H²/(H²+P²)} and {@code P²/(H²+P²)} (half each where both are below float32's tiny); masked complex
 * spectra back to the time domain.
 */
final class Hpss {
    static final int KERNEL = 31;

    /** The two time-domain signals, each {@code length} samples. */
    record Signals(double[] harmonic, double[] percussive) {
    }

    private Hpss() {
    }

    static Signals separate(Stft stft, float[] magnitude, int length, boolean zeroTail) {
        return separate(stft, magnitude, length, zeroTail, false);
    }

    /**
     * @param parallel run the independent median lines and the two inverse transforms in the common
     *                 fork-join pool (same results, bit for bit)
     */
    static Signals separate(Stft stft, float[] magnitude, int length, boolean zeroTail, boolean parallel) {
        int frames = stft.frames;
        int bins = stft.bins;
        float[] harm = new float[magnitude.length];
        float[] perc = new float[magnitude.length];
        // Across time: transposed first, because walking a frame-major array with a stride of 1025 floats
        // misses the cache on every read and costs more than the medians themselves.
        float[] byBin = transpose(magnitude, frames, bins);
        float[] harmByBin = new float[byBin.length];
        forEachLine(bins, parallel, (median, k) -> median.filter(byBin, harmByBin, k * frames, 1, frames));
        transpose(harmByBin, bins, frames, harm);
        // Across frequency: one contiguous line per frame.
        forEachLine(frames, parallel, (median, t) -> median.filter(magnitude, perc, t * bins, 1, bins));
        float[] hRe = new float[magnitude.length];
        float[] hIm = new float[magnitude.length];
        float[] pRe = new float[magnitude.length];
        float[] pIm = new float[magnitude.length];
        for (int i = 0; i < magnitude.length; i++) {
            double h = harm[i];
            double p = perc[i];
            double maskH;
            double maskP;
            if (Math.max(h, p) < Float.MIN_NORMAL) {
                maskH = 0.5;
                maskP = 0.5;
            } else {
                // librosa scales both by max(h, p) first to avoid float32 overflow; in double it is not needed,
                // and H²/(H²+P²) is the same quotient with one division instead of four.
                double hh = h * h;
                double pp = p * p;
                double inv = 1.0 / (hh + pp);
                maskH = hh * inv;
                maskP = pp * inv;
            }
            hRe[i] = (float) (stft.re[i] * maskH);
            hIm[i] = (float) (stft.im[i] * maskH);
            pRe[i] = (float) (stft.re[i] * maskP);
            pIm[i] = (float) (stft.im[i] * maskP);
        }
        if (parallel) {
            java.util.concurrent.ForkJoinTask<double[][]> harmonic = java.util.concurrent.ForkJoinTask.adapt(
                    () -> Stft.inverse(new float[][] {hRe}, new float[][] {hIm}, frames, stft.nFft, stft.hop,
                            length, zeroTail)).fork();
            double[][] yp = Stft.inverse(new float[][] {pRe}, new float[][] {pIm}, frames, stft.nFft, stft.hop,
                    length, zeroTail);
            return new Signals(harmonic.join()[0], yp[0]);
        }
        double[][] y = Stft.inverse(new float[][] {hRe, pRe}, new float[][] {hIm, pIm}, frames, stft.nFft,
                stft.hop, length, zeroTail);
        return new Signals(y[0], y[1]);
    }

    private interface LineTask {
        void run(MedianFilter median, int line);
    }

    /** Runs {@code task} for lines 0..n-1, in chunks of 64 lines with one filter (scratch buffers) per chunk. */
    private static void forEachLine(int n, boolean parallel, LineTask task) {
        int chunk = 64;
        int chunks = (n + chunk - 1) / chunk;
        java.util.stream.IntStream ids = java.util.stream.IntStream.range(0, chunks);
        (parallel ? ids.parallel() : ids).forEach(c -> {
            MedianFilter median = new MedianFilter(KERNEL);
            for (int line = c * chunk; line < Math.min(n, (c + 1) * chunk); line++) {
                task.run(median, line);
            }
        });
    }

    /** {@code [rows][cols]} to {@code [cols][rows]}, in tiles that stay in the cache. */
    static float[] transpose(float[] a, int rows, int cols) {
        float[] out = new float[a.length];
        transpose(a, rows, cols, out);
        return out;
    }

    static void transpose(float[] a, int rows, int cols, float[] out) {
        int tile = 32;
        for (int r0 = 0; r0 < rows; r0 += tile) {
            int r1 = Math.min(rows, r0 + tile);
            for (int c0 = 0; c0 < cols; c0 += tile) {
                int c1 = Math.min(cols, c0 + tile);
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        out[c * rows + r] = a[r * cols + c];
                    }
                }
            }
        }
    }
}
