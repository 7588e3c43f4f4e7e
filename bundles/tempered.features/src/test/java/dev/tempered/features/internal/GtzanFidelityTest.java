package dev.tempered.features.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The descriptors of blues.00099.mp3 (decoded by ffmpeg, as librosa would get PCM) against the CSV row that
 * librosa computed from the original .au. The MP3 is a 79 kb/s re-encode at the same 22,050 Hz rate (no
 * resampling on either side), so coding noise is the only excuse for a gap; each group's tolerance says how
 * that noise reaches it. Observed errors are printed, and reported in docs/benchmarks/features.md.
 */
class GtzanFidelityTest {
    private static double[] expected;
    private static double[] actual;

    @BeforeAll
    static void compute() throws Exception {
        float[] y = GtzanFixture.clip();
        assertEquals(661_794, y.length, "the fixture decodes to the CSV's length (no resampling, gapless)");
        expected = GtzanFixture.csvRow(GtzanFixture.CLIP);
        // Through the front end with its default configuration, as a model would get them.
        float[][] rows = new LibrosaFrontEnd().compute(audio(y));
        assertEquals(1, rows.length);
        assertEquals(57, rows[0].length);
        actual = new double[57];
        for (int i = 0; i < 57; i++) {
            actual[i] = rows[0][i];
        }
        List<String> names = LibrosaDescriptors.NAMES;
        System.out.printf("%-26s %15s %15s %10s%n", "descriptor", "csv", "java", "rel.err");
        for (int i = 0; i < names.size(); i++) {
            System.out.printf("%-26s %15.8g %15.8g %10.2e%n", names.get(i), expected[i], actual[i],
                    Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]));
        }
    }

    private static dev.tempered.api.audio.DecodedAudio audio(float[] y) {
        var info = new dev.tempered.api.audio.AudioInfo(java.nio.file.Path.of(GtzanFixture.CLIP + ".mp3"), "mp3",
                "mp3", 22050, 1, y.length, y.length / 22050.0, "ffmpeg");
        return new dev.tempered.api.audio.DecodedAudio(info, 22050, 1,
                List.of(new dev.tempered.api.audio.DecodedAudio.Segment(0, y)));
    }

    /**
     * chroma: the tuning estimate is the peak of a histogram that is nearly flat on this clip (the top bins
     * differ by a few counts of ~3,600), so coding noise moves it by a tenth of a semitone; over tunings
     * -0.1..+0.1 chroma's mean moves by 1.6%, its variance by 1.4%.
     */
    @Test
    void chroma() {
        relative("chroma_stft_mean", 0.01);
        relative("chroma_stft_var", 0.01);
    }

    /** rms: MP3 coding keeps frame energy within a fraction of a percent; the variance doubles that. */
    @Test
    void rms() {
        relative("rms_mean", 0.005);
        relative("rms_var", 0.01);
    }

    /**
     * Spectral shape: the encoder quantises weak high bands (noise there pulls centroid, bandwidth and
     * rolloff); means within 0.5%, frame-to-frame variances within 1.5%.
     */
    @Test
    void spectralShape() {
        for (String base : List.of("spectral_centroid", "spectral_bandwidth", "rolloff")) {
            relative(base + "_mean", 0.005);
            relative(base + "_var", 0.015);
        }
    }

    /** Zero crossings: coding noise adds sign changes in quiet passages, which the variance feels most. */
    @Test
    void zeroCrossingRate() {
        relative("zero_crossing_rate_mean", 0.01);
        relative("zero_crossing_rate_var", 0.03);
    }

    /**
     * HPSS signals: their means are the clip's DC offset split in two (~1e-4 of full scale), which a
     * perceptual coder does not keep exactly; they are compared with the signal's own spread, to 1e-4 of
     * its standard deviation. Variances within 1%.
     */
    @Test
    void harmonicAndPercussive() {
        for (String base : List.of("harmony", "perceptr")) {
            meanAgainstSpread(base + "_mean", base + "_var", 1e-4);
            relative(base + "_var", 0.01);
        }
    }

    /** Tempo is a whole autocorrelation lag (here 28 frames); the same lag must win. */
    @Test
    void tempo() {
        relative("tempo", 1e-12);
    }

    /**
     * MFCC: noise in quiet bands moves log-mel energies by fractions of a dB; means (some near zero) are
     * compared with each coefficient's frame-to-frame standard deviation, to 2% of it; variances within 3%.
     */
    @Test
    void mfcc() {
        List<String> failures = new ArrayList<>();
        for (int k = 1; k <= 20; k++) {
            try {
                meanAgainstSpread("mfcc" + k + "_mean", "mfcc" + k + "_var", 0.02);
                relative("mfcc" + k + "_var", 0.03);
            } catch (AssertionError e) {
                failures.add(e.getMessage());
            }
        }
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
    }

    private static int index(String name) {
        int i = LibrosaDescriptors.NAMES.indexOf(name);
        assertTrue(i >= 0, name);
        return i;
    }

    private static void relative(String name, double tolerance) {
        int i = index(name);
        double err = Math.abs(actual[i] - expected[i]) / Math.abs(expected[i]);
        assertTrue(err <= tolerance, () -> String.format("%s: java %.8g, csv %.8g, relative error %.3e > %.1e",
                name, actual[i], expected[i], err, tolerance));
    }

    private static void meanAgainstSpread(String mean, String var, double fraction) {
        int i = index(mean);
        double sd = Math.sqrt(expected[index(var)]);
        double err = Math.abs(actual[i] - expected[i]) / sd;
        assertTrue(err <= fraction, () -> String.format("%s: java %.8g, csv %.8g, error %.3e standard deviations"
                + " > %.1e", mean, actual[i], expected[i], err, fraction));
    }
}
