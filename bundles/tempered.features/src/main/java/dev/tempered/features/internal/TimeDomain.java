package dev.tempered.features.internal;

/** librosa's frame-wise time-domain features: rms and zero-crossing rate, one value per centred frame. */
final class TimeDomain {
    private TimeDomain() {
    }

    /** √(mean of x²) over each frame of the signal padded by {@code frame/2} on each side. */
    static double[] rms(float[] y, int frameLength, int hop, Padding padding) {
        double[] padded = padding.pad(y, frameLength / 2);
        double[] cum = new double[padded.length + 1];
        for (int i = 0; i < padded.length; i++) {
            cum[i + 1] = cum[i] + padded[i] * padded[i];
        }
        int frames = Stft.frameCount(y.length, hop);
        double[] out = new double[frames];
        for (int t = 0; t < frames; t++) {
            int s = t * hop;
            // Prefix sums make each frame O(1); the max guards against rounding below zero in silence.
            out[t] = Math.sqrt(Math.max(0, cum[s + frameLength] - cum[s]) / frameLength);
        }
        return out;
    }

    /**
     * Sign changes per sample in each frame of the edge-padded signal, as librosa's zero_crossing_rate:
     * magnitudes up to 1e-10 count as zero, zero counts as positive, and a frame's first sample has no
     * predecessor, so at most {@code frame − 1} changes are counted, divided by {@code frame}.
     */
    static double[] zeroCrossingRate(float[] y, int frameLength, int hop) {
        double[] padded = Padding.EDGE.pad(y, frameLength / 2);
        int[] changes = new int[padded.length + 1];
        for (int j = 1; j < padded.length; j++) {
            changes[j + 1] = changes[j] + (negative(padded[j]) != negative(padded[j - 1]) ? 1 : 0);
        }
        int frames = Stft.frameCount(y.length, hop);
        double[] out = new double[frames];
        for (int t = 0; t < frames; t++) {
            int s = t * hop;
            out[t] = (changes[s + frameLength] - changes[s + 1]) / (double) frameLength;
        }
        return out;
    }

    private static boolean negative(double v) {
        return Math.abs(v) > 1e-10 && v < 0;
    }
}
