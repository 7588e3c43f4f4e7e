package dev.tempered.features.internal;

/**
 * A 1-D running median with scipy.ndimage's 'reflect' boundary (d c b a | a b c d | d c b a), for odd
 * window sizes. It keeps the window sorted and moves one element per step, so a step costs at most the
 * window size in comparisons and no allocation; HPSS runs it over every row and column of a spectrogram.
 * Not thread-safe: it owns its buffers.
 */
final class MedianFilter {
    private final int size;
    private final int half;
    private final float[] window;
    private float[] line = new float[0];

    MedianFilter(int size) {
        if (size < 1 || size % 2 == 0) {
            throw new IllegalArgumentException("window size must be odd and positive: " + size);
        }
        this.size = size;
        this.half = size / 2;
        this.window = new float[size];
    }

    /**
     * Filters {@code n} values read from {@code src} at {@code srcOffset + i·stride} and writes the medians
     * to {@code dst} at the same positions.
     */
    void filter(float[] src, float[] dst, int offset, int stride, int n) {
        int extended = n + 2 * half;
        if (line.length < extended) {
            line = new float[extended];
        }
        for (int i = 0; i < n; i++) {
            line[half + i] = src[offset + i * stride];
        }
        for (int i = 0; i < half; i++) {
            line[i] = src[offset + reflect(i - half, n) * stride];
            line[half + n + i] = src[offset + reflect(n + i, n) * stride];
        }
        System.arraycopy(line, 0, window, 0, size);
        java.util.Arrays.sort(window);
        dst[offset] = window[half];
        for (int i = 1; i < n; i++) {
            replace(line[i - 1], line[i - 1 + size]);
            dst[offset + i * stride] = window[half];
        }
    }

    /** scipy's 'reflect' index: the edge sample is repeated, and the pattern has period 2n. */
    static int reflect(int i, int n) {
        int m = Math.floorMod(i, 2 * n);
        return m < n ? m : 2 * n - 1 - m;
    }

    private void replace(float old, float fresh) {
        // Ranks by counting rather than binary search: the comparisons compile to flag moves, not branches,
        // and spectrogram data would mispredict most of a binary search's branches.
        float[] w = window;
        int p = 0;
        int q = 0;
        for (int j = 0; j < w.length; j++) {
            float v = w[j];
            p += v < old ? 1 : 0;
            q += v < fresh ? 1 : 0;
        }
        if (old < fresh) {
            q--;
            System.arraycopy(w, p + 1, w, p, q - p);
        } else {
            System.arraycopy(w, q, w, q + 1, p - q);
        }
        w[q] = fresh;
    }
}
