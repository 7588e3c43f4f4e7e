package dev.tempered.features.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.DecodedAudio;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The service contract: names, rate, validation, one row per segment. */
class LibrosaFrontEndTest {
    private final LibrosaFrontEnd frontEnd = new LibrosaFrontEnd();

    @Test
    void namesAreTheCsvDescriptorColumnsInOrder() throws Exception {
        List<String> header = GtzanFixture.csvHeader();
        // filename, length, the 57 descriptors, label
        assertEquals(header.subList(2, header.size() - 1), frontEnd.featureNames());
        assertEquals(57, frontEnd.featureNames().size());
        assertEquals("librosa-descriptors", frontEnd.type());
        assertEquals(22050, frontEnd.sampleRate());
    }

    @Test
    void oneRowPerSegment() {
        float[] a = noise(22050, 1);
        float[] b = noise(30000, 2);
        float[][] rows = frontEnd.compute(audio(22050, 1, a, b));
        assertEquals(2, rows.length);
        LibrosaDescriptors d = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true);
        assertArrayEquals(toFloat(d.compute(a)), rows[0]);
        assertArrayEquals(toFloat(d.compute(b)), rows[1]);
    }

    @Test
    void parallelAndSequentialAgreeExactly() {
        float[] y = noise(22050 * 4, 9);
        double[] a = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true, true).compute(y);
        double[] b = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true, false).compute(y);
        assertArrayEquals(b, a);
    }

    @Test
    void shortSegmentsStillGiveFiniteValues() {
        // Shorter than one FFT frame: librosa pads (reflecting repeatedly) and still returns numbers.
        float[][] rows = frontEnd.compute(audio(22050, 1, noise(700, 3)));
        for (float v : rows[0]) {
            assertEquals(true, Float.isFinite(v));
        }
    }

    @Test
    void startsNoThreads() {
        // JTransforms keeps a static thread pool for large transforms; ours (2048, 1024) must stay below its
        // threshold, or every bundle refresh would leave threads behind.
        java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
        frontEnd.compute(audio(22050, 1, noise(22050 * 5, 5)));
        java.util.Set<Thread> after = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
        after.removeAll(before);
        // JTransforms names its threads as Executors' default factory does; other new threads (the test
        // runner's) are not ours to judge.
        after.removeIf(t -> !t.isAlive() || !t.getName().startsWith("pool-"));
        assertEquals(java.util.Set.of(), after);
    }

    @Test
    void rejectsWrongInput() {
        float[] a = noise(4096, 4);
        assertThrows(IllegalArgumentException.class, () -> frontEnd.compute(audio(22050, 2, a)));
        assertThrows(IllegalArgumentException.class, () -> frontEnd.compute(audio(16000, 1, a)));
        assertThrows(IllegalArgumentException.class, () -> frontEnd.compute(audio(22050, 1, new float[0])));
        float[] nan = a.clone();
        nan[10] = Float.NaN;
        assertThrows(IllegalArgumentException.class, () -> frontEnd.compute(audio(22050, 1, nan)));
    }

    private static DecodedAudio audio(int rate, int channels, float[]... segments) {
        AudioInfo info = new AudioInfo(Path.of("test.wav"), "wav", "pcm", rate, channels, 0, 0, "test");
        List<DecodedAudio.Segment> list = new java.util.ArrayList<>();
        double start = 0;
        for (float[] s : segments) {
            list.add(new DecodedAudio.Segment(start, s));
            start += s.length / (double) rate;
        }
        return new DecodedAudio(info, rate, channels, list);
    }

    private static float[] noise(int n, long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = (float) (0.1 * rnd.nextGaussian());
        }
        return y;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
