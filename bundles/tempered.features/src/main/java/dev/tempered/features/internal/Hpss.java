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
        int frames = stft.frames;
        int bins = stft.bins;
        float[] harm = new float[magnitude.length];
        float[] perc = new float[magnitude.length];
        MedianFilter median = new MedianFilter(KERNEL);
        // Across time: one line per bin, stride = bins (frame-major storage).
        for (int k = 0; k < bins; k++) {
            median.filter(magnitude, harm, k, bins, frames);
        }
        // Across frequency: one contiguous line per frame.
        for (int t = 0; t < frames; t++) {
            median.filter(magnitude, perc, t * bins, 1, bins);
        }
        float[] hRe = new float[magnitude.length];
        float[] hIm = new float[magnitude.length];
        float[] pRe = new float[magnitude.length];
        float[] pIm = new float[magnitude.length];
        for (int i = 0; i < magnitude.length; i++) {
            double h = harm[i];
            double p = perc[i];
            double z = Math.max(h, p);
            double maskH;
            double maskP;
            if (z < Float.MIN_NORMAL) {
                maskH = 0.5;
                maskP = 0.5;
            } else {
                double hh = (h / z) * (h / z);
                double pp = (p / z) * (p / z);
                maskH = hh / (hh + pp);
                maskP = pp / (hh + pp);
            }
            hRe[i] = (float) (stft.re[i] * maskH);
            hIm[i] = (float) (stft.im[i] * maskH);
            pRe[i] = (float) (stft.re[i] * maskP);
            pIm[i] = (float) (stft.im[i] * maskP);
        }
        double[] yh = Stft.inverse(hRe, hIm, frames, stft.nFft, stft.hop, length, zeroTail);
        double[] yp = Stft.inverse(pRe, pIm, frames, stft.nFft, stft.hop, length, zeroTail);
        return new Signals(yh, yp);
    }
}
