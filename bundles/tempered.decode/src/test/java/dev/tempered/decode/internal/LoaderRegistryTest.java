package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import dev.tempered.nativeaudio.Resampler;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which decoder the loader asks, in what order, and what it does with the PCM; fakes stand in for native code. */
class LoaderRegistryTest {
    @TempDir
    Path dir;
    Path wav;
    final List<String> calls = new ArrayList<>();

    /** Doubles the frame count by repeating frames, and records the call. */
    final class FakeResampler implements Resampler {
        @Override
        public String name() {
            return "fake";
        }

        @Override
        public float[] resample(float[] in, int channels, int from, int to) {
            calls.add("resample " + channels + " " + from + "->" + to);
            float[] out = new float[in.length * 2];
            for (int i = 0; i < in.length; i++) {
                out[2 * i] = in[i];
                out[2 * i + 1] = in[i];
            }
            return out;
        }
    }

    class FakeDecoder implements AudioDecoder {
        final String name;
        final Set<String> formats;
        final AudioException failure;
        final RuntimeException bug;

        FakeDecoder(String name, Set<String> formats, AudioException failure, RuntimeException bug) {
            this.name = name;
            this.formats = formats;
            this.failure = failure;
            this.bug = bug;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> formats() {
            return formats;
        }

        @Override
        public AudioInfo probe(Path file) throws AudioException {
            calls.add("probe " + name);
            if (failure != null) {
                throw failure;
            }
            return new AudioInfo(file, "wav", "pcm_s16le", 8000, 2, 2, 0.00025, name);
        }

        @Override
        public DecodedAudio decode(Path file, DecodeRequest request) throws AudioException {
            calls.add("decode " + name);
            if (bug != null) {
                throw bug;
            }
            AudioInfo info = probe(file);
            return new DecodedAudio(info, 8000, 2, List.of(new DecodedAudio.Segment(0, new float[] {1, 3, -1, 0})));
        }
    }

    DefaultAudioLoader loader;

    @BeforeEach
    void setUp() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(44).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 2)
                .putInt(8000).putInt(32000).putShort((short) 4).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(8);
        wav = dir.resolve("a.wav");
        Files.write(wav, b.array());
        loader = new DefaultAudioLoader(new FakeResampler());
    }

    @Test
    void highestRankingClaimantWins() throws Exception {
        loader.add(new FakeDecoder("low", Set.of("wav"), null, null), 10, 1);
        loader.add(new FakeDecoder("high", Set.of("wav"), null, null), 50, 2);
        loader.add(new FakeDecoder("other", Set.of("flac"), null, null), 99, 3);
        assertEquals("high", loader.probe(wav).decoder());
        assertEquals(List.of("probe high"), calls);
    }

    @Test
    void equalRankingsFallBackToServiceIdOrder() throws Exception {
        loader.add(new FakeDecoder("second", Set.of("wav"), null, null), 10, 7);
        loader.add(new FakeDecoder("first", Set.of("wav"), null, null), 10, 3);
        assertEquals("first", loader.probe(wav).decoder());
    }

    @Test
    void unsupportedFallsBackToTheNextDecoder() throws Exception {
        loader.add(new FakeDecoder("picky", Set.of("wav"), new UnsupportedAudioException(wav, "no"), null), 50, 1);
        loader.add(new FakeDecoder("lenient", Set.of("wav"), null, null), 10, 2);
        DecodedAudio a = loader.load(wav, new DecodeRequest(0, false, List.of()));
        assertEquals("lenient", a.info().decoder());
        assertEquals(List.of("decode picky", "probe picky", "decode lenient", "probe lenient"), calls);
    }

    @Test
    void damageFoundWhileDecodingStopsTheSearch() {
        // Opens fine, then finds the stream longer than its header: a laxer decoder must not accept it.
        loader.add(new FakeDecoder("strict", Set.of("wav"), null, null) {
            @Override
            public DecodedAudio decode(Path file, DecodeRequest request) throws AudioException {
                calls.add("decode " + name);
                throw new CorruptAudioException(file, "the stream holds more than its header declares");
            }
        }, 50, 1);
        loader.add(new FakeDecoder("lenient", Set.of("wav"), null, null), 10, 2);
        assertThrows(CorruptAudioException.class, () -> loader.load(wav, DecodeRequest.wholeMono(0)));
        assertFalse(calls.contains("decode lenient"));
    }

    @Test
    void aDecoderThatCannotOpenTheFileLetsTheNextTry() throws Exception {
        loader.add(new FakeDecoder("picky", Set.of("wav"), new CorruptAudioException(wav, "header broken"), null), 50, 1);
        loader.add(new FakeDecoder("able", Set.of("wav"), null, null), 10, 2);
        assertEquals("able", loader.load(wav, DecodeRequest.wholeMono(0)).info().decoder());
        assertEquals("able", loader.probe(wav).decoder());
    }

    @Test
    void whenEveryDecoderRefusesTheFirstVerdictIsReported() {
        loader.add(new FakeDecoder("first", Set.of("wav"), new CorruptAudioException(wav, "first says"), null), 50, 1);
        loader.add(new FakeDecoder("second", Set.of("wav"), new CorruptAudioException(wav, "second says"), null), 10, 2);
        CorruptAudioException e = assertThrows(CorruptAudioException.class,
                () -> loader.load(wav, DecodeRequest.wholeMono(0)));
        assertTrue(e.getMessage().contains("first says"), e.getMessage());
    }

    @Test
    void aDecoderBugBecomesADomainError() {
        loader.add(new FakeDecoder("buggy", Set.of("wav"), null, new IllegalStateException("oops")), 50, 1);
        CorruptAudioException e = assertThrows(CorruptAudioException.class,
                () -> loader.load(wav, DecodeRequest.wholeMono(0)));
        assertTrue(e.getMessage().contains("buggy"), e.getMessage());
    }

    @Test
    void noClaimantIsUnsupportedAndRemovalIsDynamic() throws Exception {
        FakeDecoder d = new FakeDecoder("only", Set.of("wav"), null, null);
        loader.addDecoder(d, Map.of("service.ranking", 5, "service.id", 11L));
        assertTrue(loader.isAudio(wav));
        loader.removeDecoder(d);
        assertFalse(loader.isAudio(wav));
        UnsupportedAudioException e = assertThrows(UnsupportedAudioException.class, () -> loader.probe(wav));
        assertTrue(e.getMessage().contains("no installed decoder reads wav"), e.getMessage());
    }

    @Test
    void downmixesToTheMeanThenResamples() throws Exception {
        loader.add(new FakeDecoder("d", Set.of("wav"), null, null), 1, 1);
        DecodedAudio a = loader.load(wav, DecodeRequest.wholeMono(16000));
        assertEquals(16000, a.sampleRate());
        assertEquals(1, a.channels());
        // frames (1,3) and (-1,0): means 2 and -0.5, then the fake resampler doubles each.
        assertArrayEquals(new float[] {2, 2, -0.5f, -0.5f}, a.segments().get(0).samples());
        assertEquals(List.of("decode d", "probe d", "resample 1 8000->16000"), calls);
    }

    @Test
    void nativeRateAndStereoPassThroughUntouched() throws Exception {
        loader.add(new FakeDecoder("d", Set.of("wav"), null, null), 1, 1);
        DecodedAudio a = loader.load(wav, new DecodeRequest(8000, false, List.of()));
        assertArrayEquals(new float[] {1, 3, -1, 0}, a.segments().get(0).samples());
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("resample")));
    }
}
