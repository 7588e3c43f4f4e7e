package dev.tempered.features.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The 57 clip descriptors of the GTZAN "features_30_sec.csv" (mean and population variance of librosa's
 * chroma_stft, rms, spectral centroid, bandwidth and rolloff, zero-crossing rate, the HPSS harmonic and
 * percussive signals, 20 MFCCs, and the global tempo), computed as librosa does with its defaults at
 * 22,050 Hz. Stateless and thread-safe: every call allocates its own buffers.
 */
public final class LibrosaDescriptors {
    public static final int SAMPLE_RATE = 22050;
    static final int N_FFT = 2048;
    static final int HOP = 512;
    static final int N_MELS = 128;
    static final int N_MFCC = 20;
    static final int N_CHROMA = 12;

    /** Descriptor names in the CSV's column order. */
    public static final List<String> NAMES;

    static {
        List<String> names = new ArrayList<>();
        for (String base : List.of("chroma_stft", "rms", "spectral_centroid", "spectral_bandwidth", "rolloff",
                "zero_crossing_rate", "harmony", "perceptr")) {
            names.add(base + "_mean");
            names.add(base + "_var");
        }
        names.add("tempo");
        for (int i = 1; i <= N_MFCC; i++) {
            names.add("mfcc" + i + "_mean");
            names.add("mfcc" + i + "_var");
        }
        NAMES = Collections.unmodifiableList(names);
    }

    /** Which librosa release's defaults to follow where they changed. */
    public enum Profile {
        /** librosa 0.7–0.8 (the GTZAN CSV's era): reflect padding; istft cropped, then zero-filled. */
        LIBROSA_0_8(Padding.REFLECT, true),
        /** librosa 0.10: zero padding; istft to the input length. */
        LIBROSA_0_10(Padding.CONSTANT, false);

        final Padding padding;
        final boolean istftZeroTail;

        Profile(Padding padding, boolean istftZeroTail) {
            this.padding = padding;
            this.istftZeroTail = istftZeroTail;
        }
    }

    private final Profile profile;
    private final boolean estimateTuning;
    private final boolean parallel;
    private final MelFilterbank mel;
    private final Dct dct;
    private final ChromaFilterbank chromaNoTuning;
    private final double[] freqs;

    public LibrosaDescriptors(Profile profile, boolean estimateTuning) {
        this(profile, estimateTuning, false);
    }

    /**
     * @param parallel split HPSS (three quarters of the work) over the common fork-join pool; the results
     *                 are identical either way
     */
    public LibrosaDescriptors(Profile profile, boolean estimateTuning, boolean parallel) {
        this.profile = profile;
        this.estimateTuning = estimateTuning;
        this.parallel = parallel;
        this.mel = MelFilterbank.slaney(SAMPLE_RATE, N_FFT, N_MELS, 0.0, SAMPLE_RATE / 2.0);
        this.dct = new Dct(N_MELS, N_MFCC);
        this.chromaNoTuning = ChromaFilterbank.create(SAMPLE_RATE, N_FFT, N_CHROMA, 0.0);
        int bins = N_FFT / 2 + 1;
        this.freqs = new double[bins];
        for (int k = 0; k < bins; k++) {
            freqs[k] = k * (double) SAMPLE_RATE / N_FFT;
        }
    }

    /** The descriptors of one mono clip at {@link #SAMPLE_RATE}, in {@link #NAMES} order. */
    public double[] compute(float[] y) {
        return compute(y, true);
    }

    /**
     * The descriptors of one mono clip, in {@link #NAMES} order; without {@code full} only the spectral-shape,
     * zero-crossing and MFCC values are computed and the rest are NaN. Chroma (with its tuning estimate), HPSS
     * and tempo are most of the work, and the FMA descriptor set has none of them.
     */
    public double[] compute(float[] y, boolean full) {
        if (y.length == 0) {
            throw new IllegalArgumentException("empty signal");
        }
        for (float v : y) {
            if (!Float.isFinite(v)) {
                throw new IllegalArgumentException("signal contains NaN or infinite samples");
            }
        }
        double[] out = new double[NAMES.size()];
        Stft stft = Stft.compute(y, N_FFT, HOP, profile.padding);
        int frames = stft.frames;
        int bins = stft.bins;
        float[] mag = stft.magnitude();
        float[] power = new float[mag.length];
        for (int i = 0; i < mag.length; i++) {
            power[i] = mag[i] * mag[i];
        }

        spectralShape(mag, frames, bins, out);
        Moments.of(TimeDomain.zeroCrossingRate(y, N_FFT, HOP)).store(out, 10);
        double[] logMel = logMel(power, frames, bins);
        mfcc(logMel, frames, out, 17);
        if (!full) {
            for (int i : new int[] {0, 1, 2, 3, 12, 13, 14, 15, 16}) {
                out[i] = Double.NaN;
            }
            return out;
        }
        Moments.of(chromagram(power, frames, bins)).store(out, 0);
        Moments.of(TimeDomain.rms(y, N_FFT, HOP, profile.padding)).store(out, 2);

        Hpss.Signals hpss = Hpss.separate(stft, mag, y.length, profile.istftZeroTail, parallel);
        Moments.of(hpss.harmonic()).store(out, 12);
        Moments.of(hpss.percussive()).store(out, 14);

        double[] onset = Tempo.onsetStrength(logMel, frames, N_MELS, N_FFT, HOP);
        double[] tg = Tempo.meanTempogram(onset, Tempo.windowLength(SAMPLE_RATE, HOP));
        out[16] = Tempo.fromTempogram(tg, SAMPLE_RATE, HOP);
        return out;
    }

    /**
     * chroma_stft: the chroma filters (tuned by the estimate unless disabled) applied to the power
     * spectrogram, each frame divided by its largest value; frame-major {@code [frames][12]}.
     */
    double[] chromagram(float[] power, int frames, int bins) {
        ChromaFilterbank fb = estimateTuning
                ? ChromaFilterbank.create(SAMPLE_RATE, N_FFT, N_CHROMA,
                        Tuning.estimate(power, frames, bins, SAMPLE_RATE, N_FFT))
                : chromaNoTuning;
        double[] out = new double[frames * N_CHROMA];
        for (int t = 0; t < frames; t++) {
            int base = t * bins;
            double max = 0;
            for (int c = 0; c < N_CHROMA; c++) {
                double[] w = fb.weights[c];
                double s = 0;
                for (int k = 0; k < bins; k++) {
                    s += w[k] * power[base + k];
                }
                out[t * N_CHROMA + c] = s;
                max = Math.max(max, Math.abs(s));
            }
            // librosa leaves a frame whose maximum is below float32's tiny unscaled (all zeros in practice).
            double scale = max < Float.MIN_NORMAL ? 1.0 : 1.0 / max;
            for (int c = 0; c < N_CHROMA; c++) {
                out[t * N_CHROMA + c] *= scale;
            }
        }
        return out;
    }

    private void spectralShape(float[] mag, int frames, int bins, double[] out) {
        Moments.Accumulator centroid = new Moments.Accumulator();
        Moments.Accumulator bandwidth = new Moments.Accumulator();
        Moments.Accumulator rolloff = new Moments.Accumulator();
        for (int t = 0; t < frames; t++) {
            int base = t * bins;
            double c = SpectralShape.centroid(mag, base, bins, freqs);
            centroid.add(c);
            bandwidth.add(SpectralShape.bandwidth(mag, base, bins, freqs, c));
            rolloff.add(SpectralShape.rolloff(mag, base, bins, freqs, 0.85));
        }
        centroid.result().store(out, 4);
        bandwidth.result().store(out, 6);
        rolloff.result().store(out, 8);
    }

    /** power_to_db(melspectrogram) with ref 1, amin 1e-10, top_db 80; frame-major {@code [frames][mels]}. */
    double[] logMel(float[] power, int frames, int bins) {
        double[] db = new double[frames * N_MELS];
        double[] row = new double[N_MELS];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < frames; t++) {
            mel.apply(power, t * bins, row);
            for (int m = 0; m < N_MELS; m++) {
                double v = 10.0 * Math.log10(Math.max(1e-10, row[m]));
                db[t * N_MELS + m] = v;
                max = Math.max(max, v);
            }
        }
        double floor = max - 80.0;
        for (int i = 0; i < db.length; i++) {
            db[i] = Math.max(db[i], floor);
        }
        return db;
    }

    private void mfcc(double[] logMel, int frames, double[] out, int at) {
        Moments.Accumulator[] acc = new Moments.Accumulator[N_MFCC];
        for (int k = 0; k < N_MFCC; k++) {
            acc[k] = new Moments.Accumulator();
        }
        double[] c = new double[N_MFCC];
        for (int t = 0; t < frames; t++) {
            dct.apply(logMel, t * N_MELS, c);
            for (int k = 0; k < N_MFCC; k++) {
                acc[k].add(c[k]);
            }
        }
        for (int k = 0; k < N_MFCC; k++) {
            acc[k].result().store(out, at + 2 * k);
        }
    }
}
