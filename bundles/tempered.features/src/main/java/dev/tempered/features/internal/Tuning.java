package dev.tempered.features.internal;

import java.util.Arrays;

/**
 * librosa's {@code estimate_tuning} on a spectrogram: {@code piptrack} picks parabolically interpolated
 * spectral peaks between 150 and 4000 Hz above a tenth of each frame's maximum; the peaks at least as strong
 * as their median vote in a histogram of deviations from the equal-tempered grid (bins of 0.01 semitone);
 * the left edge of the fullest bin is the tuning, in fractions of a bin.
 */
final class Tuning {
    private Tuning() {
    }

    /**
     * @param spec frame-major spectrogram values as librosa's chroma passes them to piptrack (power)
     */
    static double estimate(float[] spec, int frames, int bins, int sampleRate, int nFft) {
        double[] chosen = strongPeaks(spec, frames, bins, sampleRate, nFft);
        return pitchTuning(chosen, chosen.length, 0.01, 12);
    }

    /** The interpolated frequencies of the piptrack peaks at least as strong as their median. */
    static double[] strongPeaks(float[] spec, int frames, int bins, int sampleRate, int nFft) {
        double fmin = 150.0;
        double fmax = Math.min(4000.0, sampleRate / 2.0);
        double binHz = (double) sampleRate / nFft;
        int capacity = 64;
        double[] pitches = new double[capacity];
        double[] mags = new double[capacity];
        int count = 0;
        for (int t = 0; t < frames; t++) {
            int base = t * bins;
            double max = 0;
            for (int k = 0; k < bins; k++) {
                max = Math.max(max, spec[base + k]);
            }
            double ref = 0.1 * max;
            for (int k = 0; k < bins; k++) {
                double f = k * binHz;
                if (f < fmin || f >= fmax || !isPeak(spec, base, k, bins, ref)) {
                    continue;
                }
                // Parabolic interpolation; interior only, as librosa pads the edges with zero shift.
                double shift = 0;
                double dskew = 0;
                if (k > 0 && k < bins - 1) {
                    double prev = spec[base + k - 1];
                    double next = spec[base + k + 1];
                    double cur = spec[base + k];
                    double avg = 0.5 * (next - prev);
                    double curv = 2 * cur - next - prev;
                    shift = avg / (curv + (Math.abs(curv) < Float.MIN_NORMAL ? 1 : 0));
                    dskew = 0.5 * avg * shift;
                }
                if (count == capacity) {
                    capacity *= 2;
                    pitches = Arrays.copyOf(pitches, capacity);
                    mags = Arrays.copyOf(mags, capacity);
                }
                pitches[count] = (k + shift) * binHz;
                mags[count] = spec[base + k] + dskew;
                count++;
            }
        }
        // librosa takes the median over all picked peaks with positive pitch.
        int positive = 0;
        double[] sortedMags = new double[count];
        for (int i = 0; i < count; i++) {
            if (pitches[i] > 0) {
                sortedMags[positive++] = mags[i];
            }
        }
        double threshold = median(sortedMags, positive);
        double[] chosen = new double[positive];
        int m = 0;
        for (int i = 0; i < count; i++) {
            if (pitches[i] > 0 && mags[i] >= threshold) {
                chosen[m++] = pitches[i];
            }
        }
        return Arrays.copyOf(chosen, m);
    }

    /**
     * Thresholded local maximum along frequency, librosa's {@code localmax(S * (S > ref))}: strictly above
     * the lower neighbour, at least the upper one, the edges padded by repetition.
     */
    private static boolean isPeak(float[] spec, int base, int k, int bins, double ref) {
        double x = gated(spec[base + k], ref);
        double lower = gated(spec[base + Math.max(k - 1, 0)], ref);
        double upper = gated(spec[base + Math.min(k + 1, bins - 1)], ref);
        return x > lower && x >= upper;
    }

    private static double gated(float v, double ref) {
        return v > ref ? v : 0.0;
    }

    static double median(double[] values, int n) {
        if (n == 0) {
            return 0.0;
        }
        double[] a = Arrays.copyOf(values, n);
        Arrays.sort(a);
        return n % 2 == 1 ? a[n / 2] : 0.5 * (a[n / 2 - 1] + a[n / 2]);
    }

    /** librosa's {@code pitch_tuning}: the histogram peak of deviations from the equal-tempered grid. */
    static double pitchTuning(double[] frequencies, int n, double resolution, int binsPerOctave) {
        int nBins = (int) Math.ceil(1.0 / resolution);
        double[] edges = edges(nBins);
        int[] counts = histogram(frequencies, n, resolution, binsPerOctave);
        int used = 0;
        for (int c : counts) {
            used += c;
        }
        if (used == 0) {
            return 0.0;
        }
        int best = 0;
        for (int i = 1; i < nBins; i++) {
            if (counts[i] > counts[best]) {
                best = i;
            }
        }
        return edges[best];
    }

    /** numpy.linspace(-0.5, 0.5, nBins + 1), computed as numpy does. */
    static double[] edges(int nBins) {
        double[] edges = new double[nBins + 1];
        double step = 1.0 / nBins;
        for (int i = 0; i < nBins; i++) {
            edges[i] = i * step + -0.5;
        }
        edges[nBins] = 0.5;
        return edges;
    }

    /** Counts of deviations from the equal-tempered grid in bins of {@code resolution} from -0.5 to 0.5. */
    static int[] histogram(double[] frequencies, int n, double resolution, int binsPerOctave) {
        int nBins = (int) Math.ceil(1.0 / resolution);
        double[] edges = edges(nBins);
        int[] counts = new int[nBins];
        for (int i = 0; i < n; i++) {
            double f = frequencies[i];
            if (!(f > 0)) {
                continue;
            }
            double octs = binsPerOctave * ChromaFilterbank.hzToOcts(f, 0.0, binsPerOctave);
            double residual = octs - Math.floor(octs);
            if (residual >= 0.5) {
                residual -= 1.0;
            }
            // numpy.histogram: a first guess from the uniform spacing, corrected against the actual edges.
            int idx = (int) ((residual - edges[0]) * (nBins / (edges[nBins] - edges[0])));
            idx = Math.min(Math.max(idx, 0), nBins - 1);
            if (residual < edges[idx]) {
                idx--;
            } else if (idx != nBins - 1 && residual >= edges[idx + 1]) {
                idx++;
            }
            if (idx >= 0 && idx < nBins) {
                counts[idx]++;
            }
        }
        return counts;
    }
}
