package dev.tempered.nativeaudio.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodeRequest.TimeRange;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Both native decoders on a WAV written here sample by sample, so every decoded value is known exactly; and
 * every failure path closes its native handle. (Real music in every format is tested in tempered.decode.)
 */
class NativeDecodersTest {
    static final int RATE = 8000;
    static final int FRAMES = RATE * 3;
    static short[] pcm;
    static Path wav;
    @TempDir
    static Path dir;

    @BeforeAll
    static void writeWav() throws Exception {
        pcm = new short[FRAMES * 2];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) ((i * 7919L) % 65536 - 32768);
        }
        ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length * 2)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 2)
                .putInt(RATE).putInt(RATE * 4).putShort((short) 4).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length * 2);
        for (short s : pcm) {
            b.putShort(s);
        }
        wav = dir.resolve("known ♫.wav");
        Files.write(wav, b.array());
    }

    private static AudioDecoder decoder(String name) {
        return name.equals("ffmpeg") ? new FfmpegDecoder(Set.of("wav")) : new SndfileDecoder(Set.of("wav"));
    }

    private static float[] expected(int fromFrame, int frames) {
        float[] e = new float[frames * 2];
        for (int i = 0; i < e.length; i++) {
            e[i] = pcm[fromFrame * 2 + i] / 32768f;
        }
        return e;
    }

    @ParameterizedTest
    @ValueSource(strings = {"libsndfile", "ffmpeg"})
    void aPathOverTheLibrariesBufferIsDecoded(String name) throws Exception {
        // libsndfile keeps paths in a 1,024-byte buffer; a real path of about 1,500 bytes must still decode.
        Path deep = dir;
        while (deep.toString().getBytes(StandardCharsets.UTF_8).length < 1_500) {
            deep = deep.resolve("a-rather-long-folder-name-for-depth-" + "x".repeat(60));
        }
        Files.createDirectories(deep);
        Path f = Files.copy(wav, deep.resolve(name + " ♫.wav"));
        assertTrue(f.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length > 1_500);
        long before = NativeHandles.open();
        DecodedAudio a = decoder(name).decode(f, new DecodeRequest(0, false, List.of()));
        assertArrayEquals(expected(0, FRAMES), a.segments().get(0).samples());
        assertEquals(before, NativeHandles.open());
    }

    @ParameterizedTest
    @ValueSource(strings = {"libsndfile", "ffmpeg"})
    void decodesEverySampleExactly(String name) throws Exception {
        AudioDecoder d = decoder(name);
        AudioInfo info = d.probe(wav);
        assertEquals("wav", info.container());
        assertEquals("pcm_s16le", info.codec());
        assertEquals(RATE, info.sampleRate());
        assertEquals(FRAMES, info.frames());
        DecodedAudio a = d.decode(wav, new DecodeRequest(0, false, List.of()));
        assertArrayEquals(expected(0, FRAMES), a.segments().get(0).samples());
        DecodedAudio w = d.decode(wav, new DecodeRequest(0, false,
                List.of(new TimeRange(1.5, 0.25), new TimeRange(0.125, 0.5), new TimeRange(2.9, 1))));
        assertArrayEquals(expected(12000, 2000), w.segments().get(0).samples());
        assertArrayEquals(expected(1000, 4000), w.segments().get(1).samples());
        assertArrayEquals(expected(23200, 800), w.segments().get(2).samples(), "cut short at the end");
        assertEquals(0, NativeHandles.open());
    }

    @ParameterizedTest
    @ValueSource(strings = {"libsndfile", "ffmpeg"})
    void everyFailureClosesItsHandle(String name) throws Exception {
        AudioDecoder d = decoder(name);
        Path garbage = dir.resolve("garbage.wav");
        Files.write(garbage, "RIFF\0\0\0\0WAVEjunkjunkjunkjunk".getBytes(StandardCharsets.US_ASCII));
        Path empty = Files.write(dir.resolve("empty.wav"), new byte[0]);
        Path fifo = dir.resolve("fifo.wav");
        if (!Files.exists(fifo)) {
            new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        }
        for (Path p : List.of(garbage, empty, dir, fifo, dir.resolve("missing.wav"))) {
            AudioException e = assertThrows(AudioException.class, () -> d.decode(p, DecodeRequest.wholeMono(0)));
            assertTrue(e instanceof CorruptAudioException || e instanceof UnsupportedAudioException, e.toString());
            assertEquals(p, e.file().orElseThrow());
        }
        assertEquals(0, NativeHandles.open());
    }

    @ParameterizedTest
    @ValueSource(strings = {"libsndfile", "ffmpeg"})
    void oneInstanceDecodesOnManyThreads(String name) throws Exception {
        AudioDecoder d = decoder(name);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                results.add(pool.submit(() -> d.decode(wav, new DecodeRequest(0, false, List.of()))
                        .segments().get(0).samples()));
            }
            for (Future<float[]> f : results) {
                assertArrayEquals(expected(0, FRAMES), f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(0, NativeHandles.open());
    }
}
