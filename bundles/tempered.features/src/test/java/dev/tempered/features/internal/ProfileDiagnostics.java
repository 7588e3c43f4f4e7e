package dev.tempered.features.internal;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** Prints every descriptor against the CSV for both librosa profiles; for investigation, not CI. */
@EnabledIfSystemProperty(named = "tempered.diagnostics", matches = "true")
class ProfileDiagnostics {
    @Test
    void printBothProfiles() throws Exception {
        float[] y = GtzanFixture.clip();
        double[] expected = GtzanFixture.csvRow(GtzanFixture.CLIP);
        List<String> names = LibrosaDescriptors.NAMES;
        double[] a = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true).compute(y);
        double[] b = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_10, true).compute(y);
        double[] c = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, false).compute(y);
        Stft stft = Stft.compute(y, 2048, 512, Padding.REFLECT);
        float[] mag = stft.magnitude();
        float[] pow = new float[mag.length];
        for (int i = 0; i < mag.length; i++) {
            pow[i] = mag[i] * mag[i];
        }
        System.out.println("tuning estimate: " + Tuning.estimate(pow, stft.frames, stft.bins, 22050, 2048));
        double[] peaks = Tuning.strongPeaks(pow, stft.frames, stft.bins, 22050, 2048);
        System.out.println("peaks: " + peaks.length + " histogram: " + java.util.Arrays.toString(Tuning.histogram(peaks, peaks.length, 0.01, 12)));
        for (double tu = -0.1; tu <= 0.1001; tu += 0.01) {
            System.out.printf("tuning %.2f: chroma mean %.6f var %.6f%n", tu, chromaWith(pow, stft, tu)[0], chromaWith(pow, stft, tu)[1]);
        }
        double[] logMel = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true).logMel(pow, stft.frames,
                stft.bins);
        double[] median = new double[stft.frames];
        for (int t = 3; t < stft.frames; t++) {
            double[] d = new double[128];
            for (int m = 0; m < 128; m++) {
                d[m] = Math.max(0, logMel[(t - 2) * 128 + m] - logMel[(t - 3) * 128 + m]);
            }
            java.util.Arrays.sort(d);
            median[t] = 0.5 * (d[63] + d[64]);
        }
        double[] tgMean = Tempo.meanTempogram(Tempo.onsetStrength(logMel, stft.frames, 128, 2048, 512), 344);
        double[] tgMedian = Tempo.meanTempogram(median, 344);
        System.out.printf("tempo with mean-aggregated onsets (librosa.beat.tempo) %.4f, with median-aggregated"
                + " onsets (beat_track) %.4f%n", Tempo.fromTempogram(tgMean, 22050, 512),
                Tempo.fromTempogram(tgMedian, 22050, 512));
        double[] scores = new double[tgMean.length];
        for (int lag = 9; lag < tgMean.length; lag++) {
            double z = ChromaFilterbank.log2(60.0 * 22050 / (512.0 * lag) / 120.0);
            scores[lag] = Math.log1p(1e6 * tgMean[lag]) - 0.5 * z * z;
        }
        Integer[] order = new Integer[tgMean.length - 9];
        for (int i = 0; i < order.length; i++) {
            order[i] = i + 9;
        }
        java.util.Arrays.sort(order, (x, z) -> Double.compare(scores[z], scores[x]));
        System.out.printf("tempo scores: lag %d %.4f, lag %d %.4f, lag %d %.4f%n", order[0], scores[order[0]],
                order[1], scores[order[1]], order[2], scores[order[2]]);
        int wins = 0;
        double la = 0, lb = 0;
        for (int i = 0; i < names.size(); i++) {
            if (rel(a[i], expected[i]) < rel(b[i], expected[i])) {
                wins++;
            }
            la += Math.log(rel(a[i], expected[i]) + 1e-9);
            lb += Math.log(rel(b[i], expected[i]) + 1e-9);
        }
        System.out.printf("0.8 closer on %d of %d; geometric mean rel error 0.8 %.3e, 0.10 %.3e%n", wins, names.size(),
                Math.exp(la / names.size()), Math.exp(lb / names.size()));
        System.out.printf("%-26s %14s %14s %9s %14s %9s %9s%n", "descriptor", "csv", "0.8", "rel", "0.10", "rel",
                "rel(A440)");
        for (int i = 0; i < names.size(); i++) {
            System.out.printf("%-26s %15.8g %15.8g %9.2e %15.8g %9.2e %9.2e%n", names.get(i), expected[i], a[i],
                    rel(a[i], expected[i]), b[i], rel(b[i], expected[i]), rel(c[i], expected[i]));
        }
    }

    static double[] chromaWith(float[] pow, Stft stft, double tuning) {
        ChromaFilterbank fb = ChromaFilterbank.create(22050, 2048, 12, tuning);
        Moments.Accumulator acc = new Moments.Accumulator();
        for (int t = 0; t < stft.frames; t++) {
            double[] raw = new double[12];
            double max = 0;
            for (int c = 0; c < 12; c++) {
                for (int k = 0; k < stft.bins; k++) {
                    raw[c] += fb.weights[c][k] * pow[t * stft.bins + k];
                }
                max = Math.max(max, raw[c]);
            }
            for (int c = 0; c < 12; c++) {
                acc.add(raw[c] / max);
            }
        }
        Moments m = acc.result();
        return new double[] {m.mean(), m.variance()};
    }

    static double rel(double got, double want) {
        return Math.abs(got - want) / Math.max(Math.abs(want), 1e-12);
    }
}
