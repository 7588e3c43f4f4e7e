package dev.tempered.nativeaudio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** libsoxr through JNA: lengths, a sine stays the same sine, bad arguments never reach native code. */
class SoxrResamplerTest {
    private final SoxrResampler soxr = new SoxrResampler();

    private static float[] sine(double freq, int rate, int frames, int channels) {
        float[] s = new float[frames * channels];
        for (int i = 0; i < frames; i++) {
            for (int c = 0; c < channels; c++) {
                s[i * channels + c] = (float) (0.5 * Math.sin(2 * Math.PI * freq * i / rate + c));
            }
        }
        return s;
    }

    @Test
    void aSineIsStillTheSameSine() {
        for (int[] r : new int[][] {{44100, 16000}, {48000, 22050}, {22050, 48000}}) {
            float[] in = sine(440, r[0], r[0] * 2, 2);
            float[] out = soxr.resample(in, 2, r[0], r[1]);
            assertEquals(Math.round(2.0 * r[0] * r[1] / r[0]) * 2, out.length);
            float[] expected = sine(440, r[1], r[1] * 2, 2);
            double err = 0;
            // Skip the filter's run-in and run-out at both ends.
            for (int i = r[1] / 10 * 2; i < out.length - r[1] / 10 * 2; i++) {
                err = Math.max(err, Math.abs(out[i] - expected[i]));
            }
            assertTrue(err < 1e-3, r[0] + " -> " + r[1] + ": max error " + err);
        }
    }

    @Test
    void equalRatesReturnTheInput() {
        float[] in = sine(440, 8000, 100, 1);
        assertSame(in, soxr.resample(in, 1, 8000, 8000));
        assertEquals(0, soxr.resample(new float[0], 1, 8000, 16000).length);
    }

    @Test
    void badArgumentsAreRefusedInJava() {
        assertThrows(IllegalArgumentException.class, () -> soxr.resample(new float[3], 2, 8000, 16000));
        assertThrows(IllegalArgumentException.class, () -> soxr.resample(new float[4], 0, 8000, 16000));
        assertThrows(IllegalArgumentException.class, () -> soxr.resample(new float[4], 2, -1, 16000));
        assertThrows(IllegalArgumentException.class, () -> soxr.resample(new float[4], 2, 8000, 0));
    }
}
