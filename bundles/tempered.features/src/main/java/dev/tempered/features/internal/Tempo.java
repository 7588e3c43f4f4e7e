package dev.tempered.features.internal;

/**
 * librosa's global tempo estimate ({@code beat.tempo} with its defaults): the onset-strength envelope's
 * autocorrelation tempogram over 8 s Hann windows, averaged over time, weighted by a log-normal prior
 * around 120 BPM (one octave standard deviation), nothing above 320 BPM; the best lag gives the tempo.
 */
final class Tempo {
    static final double START_BPM = 120.0;
    static final double STD_BPM = 1.0;
    static final double MAX_TEMPO = 320.0;
    static final double AC_SIZE_SECONDS = 8.0;

    private Tempo() {
    }

    /**
     * Onset strength from a frame-major log-mel (dB) spectrogram: the mean over mels of the positive
     * difference to the previous frame (lag 1, no max filter), shifted right by {@code 1 + n_fft/(2·hop)}
     * frames to undo framing, zeros in front, trimmed to the frame count.
     */
    static double[] onsetStrength(double[] logMel, int frames, int mels, int nFft, int hop) {
        int lag = 1;
        int padWidth = lag + nFft / (2 * hop);
        double[] env = new double[frames];
        for (int t = lag; t < frames; t++) {
            int j = t - lag + padWidth;
            if (j >= frames) {
                break;
            }
            int cur = t * mels;
            int prev = (t - lag) * mels;
            double s = 0;
            for (int m = 0; m < mels; m++) {
                double d = logMel[cur + m] - logMel[prev + m];
                if (d > 0) {
                    s += d;
                }
            }
            env[j] = s / mels;
        }
        return env;
    }

    /** Window length of the tempogram in frames: librosa's {@code time_to_frames(8.0)}. */
    static int windowLength(int sampleRate, int hop) {
        return (int) (((long) (AC_SIZE_SECONDS * sampleRate)) / hop);
    }

    /** The time-averaged, per-frame max-normalised autocorrelation tempogram, lags 0..win-1. */
    static double[] meanTempogram(double[] onset, int win) {
        int n = onset.length;
        int pad = win / 2;
        // numpy 'linear_ramp' to zero: the ramps start at 0 away from the signal and approach the edge value.
        double[] padded = new double[n + 2 * pad];
        double leftEdge = n > 0 ? onset[0] : 0;
        double rightEdge = n > 0 ? onset[n - 1] : 0;
        for (int i = 0; i < pad; i++) {
            padded[i] = i * (leftEdge / pad);
            padded[pad + n + i] = (pad - 1 - i) * (rightEdge / pad);
        }
        System.arraycopy(onset, 0, padded, pad, n);
        double[] window = Windows.hann(win);
        int size = Integer.highestOneBit(Math.max(1, 2 * win - 1) - 1) << 1;
        RealFft fft = new RealFft(Math.max(2, size));
        int bins = fft.size() / 2 + 1;
        double[] buf = new double[fft.size()];
        double[] re = new double[bins];
        double[] im = new double[bins];
        double[] ac = new double[fft.size()];
        double[] sum = new double[win];
        for (int t = 0; t < n; t++) {
            java.util.Arrays.fill(buf, 0);
            for (int i = 0; i < win; i++) {
                buf[i] = padded[t + i] * window[i];
            }
            fft.forward(buf, re, im);
            for (int k = 0; k < bins; k++) {
                re[k] = re[k] * re[k] + im[k] * im[k];
                im[k] = 0;
            }
            fft.inverse(re, im, ac);
            double max = 0;
            for (int l = 0; l < win; l++) {
                max = Math.max(max, Math.abs(ac[l]));
            }
            double scale = max < Double.MIN_NORMAL ? 1.0 : 1.0 / max;
            for (int l = 0; l < win; l++) {
                sum[l] += ac[l] * scale;
            }
        }
        for (int l = 0; l < win; l++) {
            sum[l] /= Math.max(1, n);
        }
        return sum;
    }

    /** The tempo in BPM picked from a mean tempogram. */
    static double fromTempogram(double[] tg, int sampleRate, int hop) {
        double best = Double.NEGATIVE_INFINITY;
        int bestLag = 0;
        for (int lag = 1; lag < tg.length; lag++) {
            double bpm = 60.0 * sampleRate / (hop * (double) lag);
            if (bpm >= MAX_TEMPO) {
                continue;
            }
            double z = (ChromaFilterbank.log2(bpm) - ChromaFilterbank.log2(START_BPM)) / STD_BPM;
            double score = Math.log1p(1e6 * tg[lag]) - 0.5 * z * z;
            if (score > best) {
                best = score;
                bestLag = lag;
            }
        }
        // librosa's lag 0 means an infinite tempo; it only wins when every prior is zero, i.e. never here.
        return bestLag == 0 ? 0.0 : 60.0 * sampleRate / (hop * (double) bestLag);
    }
}
