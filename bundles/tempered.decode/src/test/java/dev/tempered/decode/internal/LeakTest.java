package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodeRequest.TimeRange;
import dev.tempered.nativeaudio.internal.NativeHandles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Decodes many times (good files, windows and broken files, through both native libraries) and checks that
 * open file descriptors, native handles and resident memory stay flat.
 *
 * <p>The count defaults to 10,000 (about 15 s); {@code -Dtempered.leak.iterations=N} changes it.
 */
class LeakTest {
    @Test
    void handlesAndMemoryStayFlat() throws Exception {
        int iterations = Integer.getInteger("tempered.leak.iterations", 10_000);
        DefaultAudioLoader loader = Corpus.loader();
        List<Path> files = List.of(Corpus.clip(Corpus.Format.FLAC, 60, 1), Corpus.clip(Corpus.Format.M4A_AAC, 60, 1),
                Corpus.clip(Corpus.Format.OGG_VORBIS, 60, 1), Corpus.clip(Corpus.Format.MP3, 60, 1),
                Corpus.clip(Corpus.Format.WAV_S16, 60, 1));
        Path flac = files.get(0);
        Path broken = Corpus.DIR.resolve("leak-truncated.flac");
        Files.write(broken, Arrays.copyOf(Files.readAllBytes(flac), (int) (Files.size(flac) * 0.6)));
        DecodeRequest whole = DecodeRequest.wholeMono(16000);
        DecodeRequest window = new DecodeRequest(22050, true, List.of(new TimeRange(0.25, 0.5)));

        int warmup = Math.max(200, iterations / 10);
        run(loader, files, broken, whole, window, warmup);
        System.gc();
        long fdBefore = openFds();
        long rssBefore = rssKb();
        long t0 = System.nanoTime();
        run(loader, files, broken, whole, window, iterations);
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.gc();
        long fdAfter = openFds();
        long rssAfter = rssKb();
        System.out.printf("%d decodes in %.1f s: fds %d -> %d, RSS %d -> %d KiB, native handles open %d%n",
                iterations, seconds, fdBefore, fdAfter, rssBefore, rssAfter, NativeHandles.open());
        assertEquals(0, NativeHandles.open(), "native handles left open");
        assertTrue(fdAfter <= fdBefore + 2, "file descriptors grew from " + fdBefore + " to " + fdAfter);
        // Java's heap may still grow into its reserve; a native leak of even 1 KiB per decode would add ~10 MiB here.
        assertTrue(rssAfter - rssBefore < 48 * 1024, "RSS grew by " + (rssAfter - rssBefore) + " KiB");
    }

    private static void run(DefaultAudioLoader loader, List<Path> files, Path broken, DecodeRequest whole,
            DecodeRequest window, int n) throws AudioException {
        for (int i = 0; i < n; i++) {
            Path f = files.get(i % files.size());
            if (i % 7 == 6) {
                assertThrows(AudioException.class, () -> loader.load(broken, whole));
            } else {
                loader.load(f, i % 2 == 0 ? whole : window);
            }
        }
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    private static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
