package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import dev.tempered.nativeaudio.internal.NativeHandles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of broken and non-audio files, made here: each yields UnsupportedAudioException or
 * CorruptAudioException naming the file, never another exception, a hang or a crash, and leaves no native
 * handle open.
 */
class BadInputTest {
    private static final Random RANDOM = new Random(20261125);
    private static Path dir;
    private static DefaultAudioLoader loader;

    @BeforeAll
    static void setUp() throws IOException {
        loader = Corpus.loader();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Path dir() throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory("tempered-bad-input");
        }
        return dir;
    }

    private static Path write(String name, byte[] content) throws IOException {
        Path p = dir().resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, content);
        return p;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static byte[] truncate(Path source, double fraction) throws IOException {
        byte[] all = Files.readAllBytes(source);
        return Arrays.copyOf(all, (int) (all.length * fraction));
    }

    private static byte[] cut(Path source, int bytes) throws IOException {
        return Arrays.copyOf(Files.readAllBytes(source), bytes);
    }

    static Stream<Arguments> corpus() throws Exception {
        Path wav = Corpus.clip(Corpus.Format.WAV_S16, 60, 20);
        Path aiff = Corpus.clip(Corpus.Format.AIFF, 60, 20);
        Path flac = Corpus.clip(Corpus.Format.FLAC, 60, 20);
        Path ogg = Corpus.clip(Corpus.Format.OGG_VORBIS, 60, 20);
        Path opus = Corpus.clip(Corpus.Format.OPUS, 60, 20);
        Path m4a = Corpus.clip(Corpus.Format.M4A_AAC, 60, 20);
        Path mp3 = Corpus.clip(Corpus.Format.MP3, 60, 20);
        List<Arguments> c = new ArrayList<>();
        c.add(Arguments.of("zero bytes .mp3", write("empty.mp3", new byte[0])));
        c.add(Arguments.of("zero bytes .flac", write("empty.flac", new byte[0])));
        c.add(Arguments.of("missing file", dir().resolve("does-not-exist.ogg")));
        Path d = dir().resolve("a-directory.mp3");
        Files.createDirectories(d);
        c.add(Arguments.of("a directory named .mp3", d));
        Path link = dir().resolve("broken-link.flac");
        Files.createSymbolicLink(link, dir().resolve("nowhere.flac"));
        c.add(Arguments.of("broken symbolic link", link));
        Path fifo = dir().resolve("pipe.wav");
        Corpus.run(List.of("mkfifo", fifo.toString()));
        c.add(Arguments.of("a FIFO named .wav (opening it would block)", fifo));

        c.add(Arguments.of("wav truncated in the header (20 B)", write("t-20.wav", cut(wav, 20))));
        c.add(Arguments.of("wav truncated at 50%", write("t-50.wav", truncate(wav, 0.5))));
        c.add(Arguments.of("wav truncated at 90%", write("t-90.wav", truncate(wav, 0.9))));
        c.add(Arguments.of("aiff truncated at 50%", write("t-50.aiff", truncate(aiff, 0.5))));
        c.add(Arguments.of("flac truncated in the header (20 B)", write("t-20.flac", cut(flac, 20))));
        c.add(Arguments.of("flac truncated at 50%", write("t-50.flac", truncate(flac, 0.5))));
        c.add(Arguments.of("flac truncated at 90%", write("t-90.flac", truncate(flac, 0.9))));
        c.add(Arguments.of("ogg vorbis truncated in the headers (100 B)", write("t-100.ogg", cut(ogg, 100))));
        c.add(Arguments.of("ogg vorbis truncated at 50%", write("t-50.ogg", truncate(ogg, 0.5))));
        c.add(Arguments.of("ogg vorbis truncated at 90%", write("t-90.ogg", truncate(ogg, 0.9))));
        c.add(Arguments.of("opus truncated at 50%", write("t-50.opus", truncate(opus, 0.5))));
        c.add(Arguments.of("m4a truncated at 50%", write("t-50.m4a", truncate(m4a, 0.5))));
        c.add(Arguments.of("m4a truncated at 99%", write("t-99.m4a", truncate(m4a, 0.99))));
        c.add(Arguments.of("mp3 truncated at 50%", write("t-50.mp3", truncate(mp3, 0.5))));
        c.add(Arguments.of("mp3 truncated at 90%", write("t-90.mp3", truncate(mp3, 0.9))));

        for (String ext : List.of("mp3", "flac", "ogg", "opus", "m4a", "wav", "aiff")) {
            c.add(Arguments.of("64 KiB of random bytes named ." + ext, write("random." + ext, random(65536))));
        }
        c.add(Arguments.of("3 random bytes named .mp3", write("tiny.mp3", random(3))));
        c.add(Arguments.of("a PNG named .flac", write("picture.flac", concat(
                new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, random(4000)))));
        c.add(Arguments.of("a text file named .mp3", write("notes.mp3",
                "These are not the songs you are looking for.\n".repeat(50).getBytes(StandardCharsets.UTF_8))));
        c.add(Arguments.of("a zip named .m4a", write("archive.m4a", concat(new byte[] {'P', 'K', 3, 4}, random(2000)))));
        c.add(Arguments.of("only the magic 'fLaC'", write("magic.flac", "fLaC".getBytes(StandardCharsets.US_ASCII))));
        c.add(Arguments.of("only a RIFF/WAVE header", write("magic.wav", cut(wav, 12))));
        c.add(Arguments.of("'OggS' then garbage", write("garbage.ogg", concat("OggS".getBytes(StandardCharsets.US_ASCII),
                random(5000)))));

        c.add(Arguments.of("wav data chunk claiming 2 GiB", write("huge-data.wav", wavWith(wav, 0x7FFFFFF0, -1))));
        c.add(Arguments.of("wav header claiming 65535 channels", write("huge-channels.wav", wavWith(wav, -1, 65535))));
        c.add(Arguments.of("ID3 tag claiming 256 MiB", write("huge-id3.mp3", concat(new byte[] {'I', 'D', '3', 4, 0, 0,
                0x7f, 0x7f, 0x7f, 0x7f}, random(3000)))));
        c.add(Arguments.of("mp4 box claiming 1 TiB", write("huge-box.m4a", mp4BoxClaiming(m4a, 1L << 40))));
        c.add(Arguments.of("flac metadata block claiming 16 MiB", write("huge-meta.flac", flacMetaClaiming(flac))));
        c.add(Arguments.of("mp4 with video and no audio", videoOnly()));
        Path longOgg = Corpus.clip(Corpus.Format.OGG_VORBIS, 30, 45);
        c.add(Arguments.of("45 s ogg whose last granule claims 10 s", write("lying-granule.ogg",
                lastGranuleClaiming(longOgg, 10 * loader.probe(longOgg).sampleRate()))));
        c.add(Arguments.of("random bytes at a non-ASCII path", write("Ünïcødé 音楽 ✓/bröken ♫.mp3", random(20000))));
        c.add(Arguments.of("truncated flac at a non-ASCII path", write("Ünïcødé 音楽 ✓/kaputt.flac",
                truncate(flac, 0.6))));
        return c.stream();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** A copy of a canonical 44-byte-header WAV with its data size and/or channel count replaced. */
    private static byte[] wavWith(Path wav, int dataSize, int channels) throws IOException {
        byte[] b = Arrays.copyOf(Files.readAllBytes(wav), 300_000);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 12;
        while (pos + 8 < b.length) {
            String id = new String(b, pos, 4, StandardCharsets.US_ASCII);
            int len = bb.getInt(pos + 4);
            if (id.equals("fmt ") && channels > 0) {
                bb.putShort(pos + 10, (short) channels);
            }
            if (id.equals("data")) {
                if (dataSize > 0) {
                    bb.putInt(pos + 4, dataSize);
                } else {
                    bb.putInt(pos + 4, b.length - pos - 8);
                }
                return b;
            }
            pos += 8 + len;
        }
        throw new IllegalStateException("no data chunk in " + wav);
    }

    private static byte[] mp4BoxClaiming(Path m4a, long size) throws IOException {
        byte[] b = Files.readAllBytes(m4a);
        ByteBuffer bb = ByteBuffer.wrap(b);
        int first = bb.getInt(0);
        // The box after 'ftyp' becomes a 64-bit box claiming `size` bytes.
        bb.putInt(first, 1);
        byte[] head = Arrays.copyOf(b, first + 8);
        byte[] big = new byte[8];
        ByteBuffer.wrap(big).putLong(size);
        return concat(concat(head, big), Arrays.copyOfRange(b, first + 8, b.length));
    }

    private static byte[] flacMetaClaiming(Path flac) throws IOException {
        byte[] b = Files.readAllBytes(flac);
        // STREAMINFO's length becomes 0xFFFFFF: the block would run far past the file.
        b[5] = (byte) 0xff;
        b[6] = (byte) 0xff;
        b[7] = (byte) 0xff;
        return Arrays.copyOf(b, 50_000);
    }

    /**
     * A copy of an Ogg file whose last page's granule position (the stream's length for every decoder) is
     * replaced, with the page CRC recomputed so the page stays valid: the audio before it is all still there.
     */
    private static byte[] lastGranuleClaiming(Path ogg, long granule) throws IOException {
        byte[] b = Files.readAllBytes(ogg);
        int last = -1;
        for (int i = 0; i + 27 < b.length; i++) {
            if (b[i] == 'O' && b[i + 1] == 'g' && b[i + 2] == 'g' && b[i + 3] == 'S') {
                last = i;
            }
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(last + 6, granule);
        int segments = b[last + 26] & 0xff;
        int length = 27 + segments;
        for (int s = 0; s < segments; s++) {
            length += b[last + 27 + s] & 0xff;
        }
        bb.putInt(last + 22, 0);
        bb.putInt(last + 22, oggCrc(b, last, length));
        return b;
    }

    /** Ogg's page checksum: CRC-32, polynomial 0x04c11db7, not reflected, initial value 0. */
    private static int oggCrc(byte[] b, int from, int length) {
        int crc = 0;
        for (int i = from; i < from + length; i++) {
            crc ^= (b[i] & 0xff) << 24;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
            }
        }
        return crc;
    }

    private static Path videoOnly() throws IOException {
        Path out = dir().resolve("video-only.m4a");
        Corpus.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc=duration=1:size=64x64:rate=10", "-c:v", "mpeg4", "-f", "mp4", out.toString()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void yieldsAClearDomainError(String what, Path file) {
        int before = NativeHandles.open();
        AudioException e = assertThrows(AudioException.class, () -> loader.load(file, DecodeRequest.wholeMono(22050)),
                what);
        System.out.printf("%-48s %-28s %s%n", what, e.getClass().getSimpleName(), e.getMessage());
        assertTrue(e instanceof UnsupportedAudioException || e instanceof CorruptAudioException, what + ": " + e);
        assertEquals(file, e.file().orElseThrow(), what);
        assertTrue(e.getMessage().contains(file.getFileName().toString()), what + ": message names the file");
        assertEquals(before, NativeHandles.open(), what + ": a native handle stayed open");
        // isAudio is a content sniff: a well-formed header with an unreadable body may pass it, but it never throws.
        boolean sniffed = loader.isAudio(file);
        if (e.getMessage().contains("not a recognised audio format")) {
            assertFalse(sniffed, what + ": isAudio");
        }
    }

    @Test
    void unreadableFile() throws IOException {
        Path p = write("unreadable.flac", Files.readAllBytes(Corpus.clip(Corpus.Format.FLAC, 60, 20)));
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(p), "running as root: file permissions do not apply, so an"
                + " unreadable file cannot be made here; run the tests as another user to cover this case");
        CorruptAudioException e = assertThrows(CorruptAudioException.class,
                () -> loader.load(p, DecodeRequest.wholeMono(0)));
        assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
    }

    @Test
    void contentWinsOverTheExtension() throws Exception {
        Path flacAsMp3 = write("really-flac.mp3", Files.readAllBytes(Corpus.clip(Corpus.Format.FLAC, 60, 20)));
        Path oggAsWav = write("really-ogg.wav", Files.readAllBytes(Corpus.clip(Corpus.Format.OGG_VORBIS, 60, 20)));
        Path m4aNoExt = write("really-m4a", Files.readAllBytes(Corpus.clip(Corpus.Format.M4A_ALAC, 60, 20)));
        assertEquals("flac", loader.probe(flacAsMp3).container());
        assertEquals("ogg", loader.probe(oggAsWav).container());
        assertEquals("mp4", loader.probe(m4aNoExt).container());
        assertEquals("alac", loader.probe(m4aNoExt).codec());
        DecodedAudio a = loader.load(flacAsMp3, DecodeRequest.wholeMono(0));
        assertEquals(20.0, a.decodedSeconds(), 0.01);
    }
}
