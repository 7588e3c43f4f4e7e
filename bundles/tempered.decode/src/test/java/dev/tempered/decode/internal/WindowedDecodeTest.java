package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodeRequest.TimeRange;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A window decoded by seeking equals the same range of a whole decode, for every decoder and format. */
class WindowedDecodeTest {
    private static AudioDecoder sndfile;
    private static AudioDecoder ffmpeg;

    @BeforeAll
    static void setUp() {
        sndfile = new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg"));
        ffmpeg = new FfmpegDecoder(Set.of("mp4", "aac", "ogg"));
    }

    static Stream<Arguments> cases() {
        Path wav = Corpus.clip(Corpus.Format.WAV_S16, 0, 90);
        Path flac = Corpus.clip(Corpus.Format.FLAC, 0, 90);
        Path aac = Corpus.clip(Corpus.Format.M4A_AAC, 0, 90);
        Path alac = Corpus.clip(Corpus.Format.M4A_ALAC, 0, 90);
        return Stream.of(
                Arguments.of("libsndfile", "mp3 (asc-music)", Corpus.mp3()),
                Arguments.of("libsndfile", "vorbis (singularity-music)", Corpus.vorbis()),
                Arguments.of("libsndfile", "opus (warzone2100-music)", Corpus.opus()),
                Arguments.of("libsndfile", "wav", wav),
                Arguments.of("libsndfile", "flac", flac),
                Arguments.of("ffmpeg", "vorbis (singularity-music)", Corpus.vorbis()),
                Arguments.of("ffmpeg", "opus (warzone2100-music)", Corpus.opus()),
                Arguments.of("ffmpeg", "m4a aac", aac),
                Arguments.of("ffmpeg", "m4a alac", alac),
                Arguments.of("ffmpeg", "flac", flac));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void windowFromTheMiddleMatchesTheWholeDecode(String decoderName, String what, Path file) throws Exception {
        AudioDecoder d = decoderName.equals("ffmpeg") ? ffmpeg : sndfile;
        DecodedAudio whole = d.decode(file, new DecodeRequest(0, false, List.of()));
        int rate = whole.sampleRate();
        int ch = whole.channels();
        float[] all = whole.segments().get(0).samples();
        double duration = all.length / ch / (double) rate;
        double start = Math.floor(duration / 2 - 15);
        DecodedAudio part = d.decode(file, new DecodeRequest(0, false, List.of(new TimeRange(start, 30))));
        assertEquals(1, part.segments().size());
        DecodedAudio.Segment seg = part.segments().get(0);
        assertEquals(start, seg.startSeconds(), 1e-9);
        assertEquals(30 * rate, seg.frames(ch), what + ": window length in frames");
        float[] window = seg.samples();
        int from = (int) Math.round(start * rate) * ch;
        float[] expected = Corpus.slice(all, from, window.length);
        double maxDiff = 0;
        for (int i = 0; i < window.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(window[i] - expected[i]));
        }
        Corpus.Alignment al = Corpus.align(expected, window, 2048);
        System.out.printf("%-10s %-28s start %.0f s: lag %d, correlation %.7f, max |diff| %.2e%n", decoderName, what,
                start, al.lag(), al.correlation(), maxDiff);
        assertEquals(0, al.lag(), what + ": the window is shifted");
        assertTrue(al.correlation() > 0.999, what + ": correlation " + al.correlation());
    }

    /** Bytes this process has read through read(2) so far (/proc/self/io rchar). */
    private static long bytesRead() throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("rchar:")) {
                return Long.parseLong(line.substring(6).trim());
            }
        }
        throw new IllegalStateException("no rchar in /proc/self/io");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aWindowNearTheEndReadsOnlyPartOfTheFile(String decoderName, String what, Path file) throws Exception {
        AudioDecoder d = decoderName.equals("ffmpeg") ? ffmpeg : sndfile;
        double duration = d.probe(file).durationSeconds();
        DecodeRequest last = new DecodeRequest(0, false, List.of(new TimeRange(Math.floor(duration - 10), 5)));
        d.decode(file, last);
        long before = bytesRead();
        d.decode(file, last);
        long read = bytesRead() - before;
        long size = java.nio.file.Files.size(file);
        System.out.printf("%-10s %-28s read %d of %d bytes (%.0f%%) for 5 s near the end%n", decoderName, what, read,
                size, 100.0 * read / size);
        if (decoderName.equals("libsndfile") && what.startsWith("mp3")) {
            // libsndfile hands MP3 to mpg123, which walks the frame headers up to the target to seek
            // sample-exactly (MP3 has no index): one pass over the bytes, decoding only the window.
            assertTrue(read <= size + size / 10, what + ": read " + read + " of " + size + " bytes: more than one pass");
        } else {
            assertTrue(read < size / 2, what + ": read " + read + " of " + size + " bytes for a 5 s window");
        }
    }

    @Test
    void severalWindowsKeepTheirOrderAndAWindowPastTheEndIsEmpty() throws Exception {
        Path file = Corpus.vorbis();
        DecodedAudio d = Corpus.loader().load(file, new DecodeRequest(16000, true, List.of(new TimeRange(200, 5),
                new TimeRange(10, 5), new TimeRange(305, 30), new TimeRange(10_000, 5))));
        assertEquals(4, d.segments().size());
        assertEquals(200, d.segments().get(0).startSeconds(), 1e-9);
        assertEquals(10, d.segments().get(1).startSeconds(), 1e-9);
        assertEquals(5 * 16000, d.segments().get(0).length());
        assertEquals(5 * 16000, d.segments().get(1).length());
        // Aberrations.ogg lasts 309.6 s: the third window is cut short, the fourth lies past the end.
        assertEquals(4.6 * 16000, d.segments().get(2).length(), 16000 * 0.05);
        assertEquals(0, d.segments().get(3).length());
    }
}
