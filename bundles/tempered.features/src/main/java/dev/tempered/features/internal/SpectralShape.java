package dev.tempered.features.internal;

/** librosa's per-frame spectral centroid, bandwidth (p = 2) and rolloff over a magnitude spectrum. */
final class SpectralShape {
    private SpectralShape() {
    }

    /** Σ f·S / Σ S; an all-zero frame (sum below float32's tiny) is not normalised and gives 0. */
    static double centroid(float[] s, int base, int bins, double[] freqs) {
        double sum = 0;
        double weighted = 0;
        for (int k = 0; k < bins; k++) {
            sum += s[base + k];
            weighted += freqs[k] * s[base + k];
        }
        return sum < Float.MIN_NORMAL ? weighted : weighted / sum;
    }

    /** (Σ S/ΣS · |f − centroid|²)^½. */
    static double bandwidth(float[] s, int base, int bins, double[] freqs, double centroid) {
        double sum = 0;
        double weighted = 0;
        for (int k = 0; k < bins; k++) {
            double d = freqs[k] - centroid;
            sum += s[base + k];
            weighted += s[base + k] * d * d;
        }
        return Math.sqrt(sum < Float.MIN_NORMAL ? weighted : weighted / sum);
    }

    /** The lowest frequency at which the cumulative magnitude reaches {@code percent} of the frame's total. */
    static double rolloff(float[] s, int base, int bins, double[] freqs, double percent) {
        double total = 0;
        for (int k = 0; k < bins; k++) {
            total += s[base + k];
        }
        double threshold = percent * total;
        double cum = 0;
        for (int k = 0; k < bins; k++) {
            cum += s[base + k];
            if (cum >= threshold) {
                return freqs[k];
            }
        }
        return freqs[bins - 1];
    }
}
