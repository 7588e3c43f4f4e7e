package dev.tempered.features.internal;

/**
 * librosa's mel filterbank with its defaults: Slaney's mel scale (htk=False) and Slaney's area
 * normalisation (norm='slaney', each triangle has unit area in Hz). Rows are stored sparsely.
 */
final class MelFilterbank {
    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    final int mels;
    final int bins;
    /** Per filter, the first non-zero FFT bin and its weights. */
    private final int[] first;
    private final double[][] weights;

    private MelFilterbank(int mels, int bins, int[] first, double[][] weights) {
        this.mels = mels;
        this.bins = bins;
        this.first = first;
        this.weights = weights;
    }

    static double hzToMel(double hz) {
        return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
    }

    static double melToHz(double mel) {
        return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
    }

    /** {@code count} frequencies evenly spaced in mel between {@code fmin} and {@code fmax}, ends included. */
    static double[] melFrequencies(int count, double fmin, double fmax) {
        double lo = hzToMel(fmin);
        double hi = hzToMel(fmax);
        double[] f = new double[count];
        for (int i = 0; i < count; i++) {
            double mel = count == 1 ? lo : lo + (hi - lo) * i / (count - 1);
            f[i] = melToHz(mel);
        }
        return f;
    }

    static MelFilterbank slaney(int sampleRate, int nFft, int mels, double fmin, double fmax) {
        int bins = nFft / 2 + 1;
        double[] fftFreqs = new double[bins];
        for (int k = 0; k < bins; k++) {
            fftFreqs[k] = k * (double) sampleRate / nFft;
        }
        double[] melF = melFrequencies(mels + 2, fmin, fmax);
        int[] first = new int[mels];
        double[][] weights = new double[mels][];
        for (int i = 0; i < mels; i++) {
            double lowDiff = melF[i + 1] - melF[i];
            double highDiff = melF[i + 2] - melF[i + 1];
            double enorm = 2.0 / (melF[i + 2] - melF[i]);
            double[] row = new double[bins];
            int lo = -1;
            int hi = -1;
            for (int k = 0; k < bins; k++) {
                double lower = (fftFreqs[k] - melF[i]) / lowDiff;
                double upper = (melF[i + 2] - fftFreqs[k]) / highDiff;
                double w = Math.max(0, Math.min(lower, upper));
                if (w > 0) {
                    row[k] = w * enorm;
                    if (lo < 0) {
                        lo = k;
                    }
                    hi = k;
                }
            }
            if (lo < 0) {
                // librosa warns about empty filters (too many mels for n_fft); they stay all-zero.
                first[i] = 0;
                weights[i] = new double[0];
            } else {
                first[i] = lo;
                weights[i] = java.util.Arrays.copyOfRange(row, lo, hi + 1);
            }
        }
        return new MelFilterbank(mels, bins, first, weights);
    }

    /** The dense weight of filter {@code m} at FFT bin {@code k}. */
    double weight(int m, int k) {
        int j = k - first[m];
        return j >= 0 && j < weights[m].length ? weights[m][j] : 0.0;
    }

    /** Applies the filters to one frame: {@code out[m] = Σ_k W[m][k] · spectrum[offset + k]}. */
    void apply(float[] spectrum, int offset, double[] out) {
        for (int m = 0; m < mels; m++) {
            double[] w = weights[m];
            int base = offset + first[m];
            double s = 0;
            for (int j = 0; j < w.length; j++) {
                s += w[j] * spectrum[base + j];
            }
            out[m] = s;
        }
    }
}
