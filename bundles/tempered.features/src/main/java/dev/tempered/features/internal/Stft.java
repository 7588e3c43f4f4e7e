package dev.tempered.features.internal;

/**
 * A centred short-time Fourier transform with librosa's framing: {@code n_fft/2} samples of padding on
 * each side, frame {@code t} starting at {@code t·hop} of the padded signal, a periodic Hann window.
 * Values are stored frame-major: bin {@code k} of frame {@code t} is at {@code t·bins + k}.
 */
final class Stft {
    final int nFft;
    final int hop;
    final int bins;
    final int frames;
    final float[] re;
    final float[] im;

    private Stft(int nFft, int hop, int frames, float[] re, float[] im) {
        this.nFft = nFft;
        this.hop = hop;
        this.bins = nFft / 2 + 1;
        this.frames = frames;
        this.re = re;
        this.im = im;
    }

    /** Number of centred frames librosa makes for {@code length} samples. */
    static int frameCount(int length, int hop) {
        return 1 + length / hop;
    }

    static Stft compute(float[] y, int nFft, int hop, Padding padding) {
        RealFft fft = new RealFft(nFft);
        double[] window = Windows.hann(nFft);
        double[] padded = padding.pad(y, nFft / 2);
        int frames = frameCount(y.length, hop);
        int bins = nFft / 2 + 1;
        float[] re = new float[frames * bins];
        float[] im = new float[frames * bins];
        double[] frame = new double[nFft];
        double[] fr = new double[bins];
        double[] fi = new double[bins];
        for (int t = 0; t < frames; t++) {
            int start = t * hop;
            for (int j = 0; j < nFft; j++) {
                frame[j] = padded[start + j] * window[j];
            }
            fft.forward(frame, fr, fi);
            int base = t * bins;
            for (int k = 0; k < bins; k++) {
                re[base + k] = (float) fr[k];
                im[base + k] = (float) fi[k];
            }
        }
        return new Stft(nFft, hop, frames, re, im);
    }

    /** |X|, frame-major like the transform. */
    float[] magnitude() {
        float[] mag = new float[re.length];
        for (int i = 0; i < mag.length; i++) {
            mag[i] = (float) Math.sqrt((double) re[i] * re[i] + (double) im[i] * im[i]);
        }
        return mag;
    }

    /**
     * The inverse transforms of several spectra of this transform's shape ({@code re[i], im[i]}), by weighted
     * overlap-add divided by the summed squared window where that is not tiny, as librosa's {@code istft}.
     * Each result starts at the first unpadded sample and has {@code length} samples; {@code zeroTail}
     * reproduces librosa before 0.9, which cropped {@code n_fft/2} at the end and then zero-filled.
     */
    static double[][] inverse(float[][] re, float[][] im, int frames, int nFft, int hop, int length,
            boolean zeroTail) {
        int bins = nFft / 2 + 1;
        RealFft fft = new RealFft(nFft);
        double[] window = Windows.hann(nFft);
        int total = nFft + hop * (frames - 1);
        int offset = nFft / 2;
        int available = Math.max(0, zeroTail ? total - 2 * offset : total - offset);
        int n = Math.min(length, available);
        double[] norm = new double[total];
        for (int t = 0; t < frames; t++) {
            for (int j = 0; j < nFft; j++) {
                norm[t * hop + j] += window[j] * window[j];
            }
        }
        double[] fr = new double[bins];
        double[] fi = new double[bins];
        double[] frame = new double[nFft];
        double[][] out = new double[re.length][];
        for (int s = 0; s < re.length; s++) {
            double[] acc = new double[total];
            for (int t = 0; t < frames; t++) {
                int base = t * bins;
                for (int k = 0; k < bins; k++) {
                    fr[k] = re[s][base + k];
                    fi[k] = im[s][base + k];
                }
                fft.inverse(fr, fi, frame);
                int start = t * hop;
                for (int j = 0; j < nFft; j++) {
                    acc[start + j] += window[j] * frame[j];
                }
            }
            double[] y = new double[length];
            for (int i = 0; i < n; i++) {
                double w = norm[offset + i];
                // librosa works in float32 and skips the division where the sum is below float32's tiny.
                y[i] = w > Float.MIN_NORMAL ? acc[offset + i] / w : acc[offset + i];
            }
            out[s] = y;
        }
        return out;
    }
}
