package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoded PCM of every format equals ffmpeg's own decode of the same file. */
class FormatFidelityTest {
    private static DefaultAudioLoader loader;

    @BeforeAll
    static void setUp() {
        loader = Corpus.loader();
    }

    static Stream<Arguments> clips() {
        return Stream.of(Corpus.Format.values()).map(f -> Arguments.of(f.name(), Corpus.clip(f, 60, 20)));
    }

    static Stream<Arguments> debianFiles() {
        return Stream.of(Arguments.of("mp3", Corpus.mp3()), Arguments.of("vorbis", Corpus.vorbis()),
                Arguments.of("opus", Corpus.opus()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource({"clips", "debianFiles"})
    void nativeRateMatchesFfmpeg(String name, Path file) throws Exception {
        DecodedAudio ours = loader.load(file, DecodeRequest.wholeMono(0));
        float[] ref = Corpus.ffmpegDecode(file, 1, 0);
        compare(name, ours, ref);
        assertEquals(ours.info().sampleRate(), ours.sampleRate());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clips")
    void resampledMonoMatchesFfmpeg(String name, Path file) throws Exception {
        DecodedAudio ours = loader.load(file, DecodeRequest.wholeMono(22050));
        assertEquals(22050, ours.sampleRate());
        assertEquals(1, ours.channels());
        compare(name, ours, Corpus.ffmpegDecode(file, 1, 22050));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Corpus.Format.class)
    void stereoIsKeptWhenAsked(Corpus.Format format) throws Exception {
        Path file = Corpus.clip(format, 60, 20);
        DecodedAudio ours = loader.load(file, new DecodeRequest(0, false, List.of()));
        assertEquals(2, ours.channels());
        float[] ref = Corpus.ffmpegDecode(file, 2, 0);
        compare(format.name(), ours, ref);
        AudioInfo info = loader.probe(file);
        assertEquals(48000, info.sampleRate());
        assertEquals(2, info.channels());
        assertEquals(20.0, info.durationSeconds(), 0.1, "probe duration");
    }

    static Stream<Arguments> fallbacks() {
        return Stream.of(Arguments.of("libsndfile", "vorbis (singularity-music)", Corpus.vorbis()),
                Arguments.of("libsndfile", "opus (warzone2100-music)", Corpus.opus()),
                Arguments.of("ffmpeg", "flac", Corpus.clip(Corpus.Format.FLAC, 60, 20)),
                Arguments.of("ffmpeg", "wav float", Corpus.clip(Corpus.Format.WAV_F32, 60, 20)),
                Arguments.of("ffmpeg", "aiff", Corpus.clip(Corpus.Format.AIFF, 60, 20)),
                Arguments.of("ffmpeg", "mp3", Corpus.clip(Corpus.Format.MP3, 60, 20)));
    }

    /** The decoders the default rankings do not pick for a format are right too, should configuration pick them. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fallbacks")
    void theOtherDecoderMatchesFfmpegToo(String decoder, String name, Path file) throws Exception {
        AudioDecoder d = decoder.equals("ffmpeg")
                ? new FfmpegDecoder(Set.of("wav", "aiff", "flac", "mp3"))
                : new SndfileDecoder(Set.of("ogg"));
        DecodedAudio ours = d.decode(file, new DecodeRequest(0, false, List.of()));
        compare(decoder + " " + name, ours, Corpus.ffmpegDecode(file, ours.channels(), 0));
    }

    private static void compare(String name, DecodedAudio ours, float[] ref) {
        assertEquals(1, ours.segments().size());
        float[] got = ours.segments().get(0).samples();
        Corpus.Alignment al = Corpus.align(ref, got, 4096);
        int ch = ours.channels();
        System.out.printf("%-12s frames ours %d ffmpeg %d, lag %d, correlation %.6f%n", name, got.length / ch,
                ref.length / ch, al.lag(), al.correlation());
        assertTrue(al.correlation() > 0.999, name + ": correlation " + al.correlation() + " at lag " + al.lag());
        assertTrue(Math.abs(got.length / ch - ref.length / ch) <= 1,
                name + ": " + got.length / ch + " frames, ffmpeg " + ref.length / ch);
    }
}
