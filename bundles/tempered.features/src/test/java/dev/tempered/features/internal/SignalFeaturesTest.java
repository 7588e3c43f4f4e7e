package dev.tempered.features.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Frame-wise features on synthetic signals whose answers are known in closed form. */
class SignalFeaturesTest {
    private static final int SR = 22050;
    private static final int N_FFT = 2048;
    private static final int HOP = 512;
    private static final double BIN_HZ = SR / (double) N_FFT;

    private static float[] sine(double hz, double amplitude, int n) {
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / SR));
        }
        return y;
    }

    private static double[] freqs() {
        double[] f = new double[N_FFT / 2 + 1];
        for (int k = 0; k < f.length; k++) {
            f[k] = k * BIN_HZ;
        }
        return f;
    }

    @Test
    void spectralShapeOfThreeSymmetricBins() {
        // A Hann-windowed sine on bin k leaves magnitudes 1/4, 1/2, 1/4 on bins k-1, k, k+1.
        float[] s = new float[1025];
        s[92] = 0.25f;
        s[93] = 0.5f;
        s[94] = 0.25f;
        double[] f = freqs();
        double c = SpectralShape.centroid(s, 0, 1025, f);
        assertEquals(93 * BIN_HZ, c, 1e-9);
        assertEquals(BIN_HZ * Math.sqrt(0.5), SpectralShape.bandwidth(s, 0, 1025, f, c), 1e-9);
        // Cumulative shares 0.25, 0.75, 1.0: 85% is first reached on the upper bin.
        assertEquals(94 * BIN_HZ, SpectralShape.rolloff(s, 0, 1025, f, 0.85), 1e-9);
        float[] silent = new float[1025];
        assertEquals(0.0, SpectralShape.centroid(silent, 0, 1025, f));
        assertEquals(0.0, SpectralShape.rolloff(silent, 0, 1025, f, 0.85));
    }

    @Test
    void sineOnABinHasItsFrequencyAsCentroid() {
        double hz = 93 * BIN_HZ;
        Stft stft = Stft.compute(sine(hz, 0.5, SR * 2), N_FFT, HOP, Padding.REFLECT);
        float[] mag = stft.magnitude();
        double[] f = freqs();
        for (int t = 4; t < stft.frames - 4; t++) {
            double c = SpectralShape.centroid(mag, t * stft.bins, stft.bins, f);
            // The float32 samples' rounding noise is spread evenly, so it leaves the centroid in place (it does
            // widen the bandwidth, whose far bins weigh by distance squared, so that is checked above instead).
            assertEquals(hz, c, 0.01, "centroid of frame " + t);
        }
        // Parseval with the Hann window: the peak bin holds A·N/4.
        assertEquals(0.5 * N_FFT / 4, mag[10 * stft.bins + 93], 1e-3);
    }

    @Test
    void zeroCrossingRateOfASquareWave() {
        // Period 64 samples: a sign change every 32 samples. Frames start on multiples of 512 (a change),
        // and a frame's first sample is not compared, so an interior frame sees 2048/32 - 1 = 63 changes.
        float[] y = new float[SR];
        for (int i = 0; i < y.length; i++) {
            y[i] = (i / 32) % 2 == 0 ? 0.5f : -0.5f;
        }
        double[] zcr = TimeDomain.zeroCrossingRate(y, N_FFT, HOP);
        assertEquals(1 + SR / HOP, zcr.length);
        for (int t = 2; t < zcr.length - 3; t++) {
            assertEquals(63.0 / 2048, zcr[t], 1e-15, "frame " + t);
        }
        // Edge padding repeats the first sample: frame 0 sees 1024 copies then 1024 samples = 31 changes.
        assertEquals(31.0 / 2048, zcr[0], 1e-15);
        // Values within 1e-10 of zero count as zero, which counts as positive: no crossing here.
        float[] tiny = {1e-11f, -1e-11f, 1e-11f, -1e-11f};
        assertEquals(0.0, TimeDomain.zeroCrossingRate(tiny, 2, 1)[1]);
    }

    @Test
    void rmsOfASine() {
        // 8 periods per 2048-sample frame: every interior frame holds whole periods, so RMS = A/√2.
        float[] y = sine(8 * BIN_HZ, 0.6, SR);
        double[] rms = TimeDomain.rms(y, N_FFT, HOP, Padding.REFLECT);
        for (int t = 2; t < rms.length - 3; t++) {
            assertEquals(0.6 / Math.sqrt(2), rms[t], 1e-6, "frame " + t);
        }
        // Zero padding halves the energy of the first frame: half of it is padding.
        double[] zeroPadded = TimeDomain.rms(y, N_FFT, HOP, Padding.CONSTANT);
        assertEquals(0.6 / Math.sqrt(2) / Math.sqrt(2), zeroPadded[0], 1e-3);
    }

    @Test
    void chromaOfA440PeaksOnA() {
        float[] y = sine(440, 0.5, SR * 3);
        LibrosaDescriptors d = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true);
        Stft stft = Stft.compute(y, N_FFT, HOP, Padding.REFLECT);
        float[] power = power(stft);
        double[] chroma = d.chromagram(power, stft.frames, stft.bins);
        for (int t = 2; t < stft.frames - 2; t++) {
            int best = 0;
            for (int c = 1; c < 12; c++) {
                if (chroma[t * 12 + c] > chroma[t * 12 + best]) {
                    best = c;
                }
            }
            // Rows start at C (base_c): A is row 9, and each frame is scaled to a maximum of 1.
            assertEquals(9, best, "frame " + t);
            assertEquals(1.0, chroma[t * 12 + 9], 1e-12);
        }
    }

    @Test
    void tuningOfTonesOnFftBins() {
        // A tone centred on a bin has a symmetric peak, so piptrack's parabolic shift is 0 and the pitch is the
        // bin frequency. Bins 41 and 82 (441.43 and 882.86 Hz) sit 0.0562 semitone above the grid, in the
        // histogram bin [0.05, 0.06); bin 40 (430.66 Hz) sits 0.3713 below it, in [-0.38, -0.37).
        assertEquals(0.05, tuningOf(41, 82), 1e-9);
        assertEquals(-0.38, tuningOf(40), 1e-9);
        // librosa's documented example: notes at +25 cents give 0.25 (or the bin just below, by rounding).
        double[] freqs = new double[24];
        for (int i = 0; i < 24; i++) {
            freqs[i] = 55 * Math.pow(2, (i + 0.25) / 12);
        }
        assertEquals(0.25, Tuning.pitchTuning(freqs, freqs.length, 0.01, 12), 0.0100001);
        assertEquals(0.0, Tuning.pitchTuning(new double[0], 0, 0.01, 12));
    }

    private static double tuningOf(int... bins) {
        int n = SR * 2;
        float[] y = new float[n];
        for (int k : bins) {
            float[] s = sine(k * BIN_HZ, 0.2, n);
            for (int i = 0; i < n; i++) {
                y[i] += s[i];
            }
        }
        Stft stft = Stft.compute(y, N_FFT, HOP, Padding.REFLECT);
        return Tuning.estimate(power(stft), stft.frames, stft.bins, SR, N_FFT);
    }

    @Test
    void tempoOfAClickTrain() {
        // Clicks every 28 frames (14336 samples): 60·22050/(512·28) = 92.28515625 BPM, the fixture's tempo.
        assertEquals(92.28515625, tempoOfClicks(28 * HOP), 1e-9);
        // Every 21 frames: 123.046875 BPM.
        assertEquals(60.0 * SR / (HOP * 21), tempoOfClicks(21 * HOP), 1e-9);
        assertEquals(344, Tempo.windowLength(SR, HOP));
    }

    private static double tempoOfClicks(int period) {
        float[] y = new float[SR * 20];
        for (int i = 0; i + 64 < y.length; i += period) {
            for (int j = 0; j < 64; j++) {
                y[i + j] = (float) (0.8 * Math.exp(-j / 8.0) * ((j % 2 == 0) ? 1 : -1));
            }
        }
        LibrosaDescriptors d = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true);
        return d.compute(y)[LibrosaDescriptors.NAMES.indexOf("tempo")];
    }

    @Test
    void silence() {
        double[] d = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true).compute(new float[SR * 5]);
        for (int i = 0; i < d.length; i++) {
            assertTrue(Double.isFinite(d[i]), LibrosaDescriptors.NAMES.get(i));
        }
        assertEquals(0.0, d[LibrosaDescriptors.NAMES.indexOf("rms_mean")]);
        assertEquals(0.0, d[LibrosaDescriptors.NAMES.indexOf("chroma_stft_mean")]);
        assertEquals(0.0, d[LibrosaDescriptors.NAMES.indexOf("spectral_centroid_mean")]);
        // A flat tempogram leaves the prior to decide: lag 22 (117.45 BPM) is the closest to 120 in log2.
        assertEquals(60.0 * SR / (HOP * 22), d[LibrosaDescriptors.NAMES.indexOf("tempo")], 1e-9);
        // Every mel band sits at the amin floor: -100 dB, so c0 = -100·√128 and the rest 0.
        assertEquals(-100 * Math.sqrt(128), d[LibrosaDescriptors.NAMES.indexOf("mfcc1_mean")], 1e-9);
        assertEquals(0.0, d[LibrosaDescriptors.NAMES.indexOf("mfcc2_mean")], 1e-9);
    }

    @Test
    void onsetStrengthIsShiftedPositiveFlux() {
        // Two frames of 2 mels: a rise of 4 dB in one mel and a fall in the other gives (4 + 0) / 2 = 2,
        // placed 1 + 2048/1024 = 3 frames on, as librosa compensates lag and centring.
        double[] logMel = {0, 10, 4, 5, 4, 5, 4, 5, 4, 5};
        double[] env = Tempo.onsetStrength(logMel, 5, 2, N_FFT, HOP);
        assertEquals(5, env.length);
        assertEquals(0.0, env[0]);
        assertEquals(0.0, env[2]);
        assertEquals(2.0, env[3], 1e-12);
        assertEquals(0.0, env[4], 1e-12);
    }

    @Test
    void logMelIsClippedEightyDecibelsBelowItsMaximum() {
        float[] power = new float[2 * 1025];
        java.util.Arrays.fill(power, 0, 1025, 1.0f);
        java.util.Arrays.fill(power, 1025, 2050, 1e-12f);
        LibrosaDescriptors d = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true);
        double[] db = d.logMel(power, 2, 1025);
        double max = java.util.Arrays.stream(db).max().orElseThrow();
        double min = java.util.Arrays.stream(db).min().orElseThrow();
        assertEquals(max - 80, min, 1e-9);
        // A flat unit spectrum through a unit-area filter: 10·log10(Σ w) = 10·log10(1/Δf) for wide filters.
        assertEquals(10 * Math.log10(1 / BIN_HZ), db[100], 0.05);
    }

    @Test
    void hpssSplitsToneFromClicksAndAddsUp() {
        int n = SR * 3;
        float[] tone = sine(440, 0.3, n);
        float[] clicks = new float[n];
        for (int i = 1000; i < n; i += 5000) {
            clicks[i] = 0.9f;
        }
        float[] mix = new float[n];
        for (int i = 0; i < n; i++) {
            mix[i] = tone[i] + clicks[i];
        }
        Stft stft = Stft.compute(mix, N_FFT, HOP, Padding.REFLECT);
        Hpss.Signals s = Hpss.separate(stft, stft.magnitude(), n, false);
        double toneInHarm = 0;
        double toneInPerc = 0;
        double residual = 0;
        for (int i = 0; i < n; i++) {
            residual = Math.max(residual, Math.abs(s.harmonic()[i] + s.percussive()[i] - mix[i]));
        }
        // The masks add up to one, so the two parts add back up to the signal (float32 spectra: ~1e-6).
        assertTrue(residual < 1e-5, "reconstruction error " + residual);
        // Between clicks the harmonic part carries the tone and the percussive part almost nothing.
        for (int i = 2500; i < 3500; i++) {
            toneInHarm += Math.pow(s.harmonic()[i] - tone[i], 2);
            toneInPerc += Math.pow(s.percussive()[i], 2);
        }
        double toneEnergy = 0;
        for (int i = 2500; i < 3500; i++) {
            toneEnergy += tone[i] * tone[i];
        }
        assertTrue(toneInHarm < 0.05 * toneEnergy, "harmonic part differs from the tone: " + toneInHarm);
        assertTrue(toneInPerc < 0.05 * toneEnergy, "percussive part holds tone: " + toneInPerc);
        // At a click, the percussive part holds most of the click.
        assertTrue(s.percussive()[6000] > 0.5, "click in percussive part: " + s.percussive()[6000]);
        assertTrue(Math.abs(s.harmonic()[6000] - tone[6000]) < 0.3, "click leaks into harmonic part");
    }

    @Test
    void oldIstftZeroFillsItsLastHalfWindow() {
        float[] y = sine(440, 0.3, 10_000);
        Stft stft = Stft.compute(y, N_FFT, HOP, Padding.REFLECT);
        double[][] older = Stft.inverse(new float[][] {stft.re}, new float[][] {stft.im}, stft.frames, N_FFT, HOP,
                y.length, true);
        double[][] newer = Stft.inverse(new float[][] {stft.re}, new float[][] {stft.im}, stft.frames, N_FFT, HOP,
                y.length, false);
        int kept = HOP * (stft.frames - 1);
        for (int i = 0; i < y.length; i++) {
            assertEquals(y[i], newer[0][i], 1e-5, "istft to length at " + i);
            assertEquals(i < kept ? y[i] : 0.0, older[0][i], 1e-5, "cropped istft at " + i);
        }
    }

    private static float[] power(Stft stft) {
        float[] mag = stft.magnitude();
        float[] p = new float[mag.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = mag[i] * mag[i];
        }
        return p;
    }
}
