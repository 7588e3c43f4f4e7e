package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.calibration.internal.TemperatureCalibrator;
import dev.tempered.decode.internal.DefaultAudioLoader;
import dev.tempered.features.internal.WaveformFrontEnd;
import dev.tempered.inference.internal.DefaultModelRepository;
import dev.tempered.inference.internal.RunnerOptions;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import dev.tempered.nativeaudio.internal.SoxrResampler;
import dev.tempered.tagwriter.internal.TagWriterImpl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Silence, a 1 ms WAV, near-silent and very short audio, made by ffmpeg and sox, tagged by the real pipeline
 * (native decoders, the default convnet in ONNX Runtime, the real tag writer): each is marked for review with the
 * reason and no genre, while a real music excerpt beside them is analysed as usual.
 */
class QuietAudioTest {
    private static final Path MUSIC = Path.of("/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg");
    private static DefaultModelRepository repository;
    private static DefaultAudioLoader loader;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        repository = new DefaultModelRepository(new RunnerOptions(2, false, 64, true), r -> { });
        repository.install(RepoFiles.path("models", "choi-gtzan"));
        repository.activate("choi-gtzan", null);
        loader = new DefaultAudioLoader(new SoxrResampler());
        loader.add(new FfmpegDecoder(Set.of("mp4", "aac", "ogg")), 200, 1);
        loader.add(new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg")), 100, 2);
    }

    @AfterAll
    static void tearDown() {
        repository.close();
    }

    @Test
    void aFileWhoseNameIsNotValidUtf8IsDecodedByBothNativeDecoders() throws Exception {
        // Latin-1 bytes (0xE9) in a name on a UTF-8 system: Java keeps them in the Path, but the native libraries
        // got the U+FFFD string and said "file not found" before.
        Path dir = java.nio.file.Files.createDirectories(tmp.resolve("latin1"));
        run("ffmpeg", "-v", "error", "-ss", "60", "-t", "3", "-i", MUSIC.toString(), "-map_metadata", "-1",
                dir.resolve("a.wav").toString());
        run("ffmpeg", "-v", "error", "-ss", "60", "-t", "3", "-i", MUSIC.toString(), "-map_metadata", "-1", "-c:a",
                "libvorbis", dir.resolve("a.ogg").toString());
        run("/bin/sh", "-c", "cd '" + dir + "' && mv a.wav \"$(printf 'caf\\351.wav')\" && mv a.ogg \"$(printf 'caf\\351.ogg')\"");
        List<Path> files;
        try (var list = java.nio.file.Files.list(dir)) {
            files = list.sorted().toList();
        }
        assertEquals(2, files.size(), files.toString());
        for (Path f : files) {
            dev.tempered.api.audio.DecodedAudio a = loader.load(f, new dev.tempered.api.audio.DecodeRequest(12000,
                    true, List.of()));
            assertEquals(f, a.info().file(), "the result names the file, not the link it was opened through");
            assertTrue(a.decodedSeconds() > 2.5, f + ": " + a.decodedSeconds());
        }
        try (var list = java.nio.file.Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertTrue(list.noneMatch(p -> p.getFileName().toString().startsWith("tempered-alias-")),
                    "the links are removed");
        }
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + "\n" + out);
    }

    static String sha(Path f) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    }

    @Test
    void tooLittleOrSilentAudioIsMarkedForReviewWithItsReasonAndNeverGivenAGenre() throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib"));
        Map<String, String> reasons = new LinkedHashMap<>();
        run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "12",
                lib.resolve("silence.wav").toString());
        reasons.put("silence.wav", "digital silence");
        run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-t", "0.001",
                lib.resolve("click-1ms.wav").toString());
        reasons.put("click-1ms.wav", "s of audio decoded");
        // A quiet hiss at about -80 dBFS: not zeros, but nothing a model could hear music in.
        run("sox", "-n", "-r", "44100", "-c", "1", lib.resolve("hiss.flac").toString(), "synth", "12", "whitenoise",
                "vol", "0.0001");
        reasons.put("hiss.flac", "silent (RMS");
        run("ffmpeg", "-v", "error", "-ss", "60", "-t", "0.4", "-i", MUSIC.toString(), "-map_metadata", "-1", "-c:a", "libvorbis",
                lib.resolve("blip.ogg").toString());
        reasons.put("blip.ogg", "s of audio decoded");
        run("ffmpeg", "-v", "error", "-ss", "60", "-t", "31", "-i", MUSIC.toString(), "-map_metadata", "-1", "-c:a", "libvorbis",
                lib.resolve("music.ogg").toString());

        CollectionTaggerComponent tagger = new CollectionTaggerComponent(repository, loader,
                new TemperatureCalibrator(), tmp.resolve("home/library"));
        tagger.addFrontEnd(new WaveformFrontEnd());
        TagWriterImpl writer = TagWriterImpl.standalone(tmp.resolve("home/journal"));
        tagger.setWriter(writer);
        // A threshold of 0 would write a genre for any confidence: only the audio check can stop it.
        TagPolicy writeAll = new TagPolicy(0.0, TagPolicy.BelowThreshold.REVIEW, TagPolicy.ExistingGenre.REPLACE,
                true);
        TagJobSummary s = tagger.tag(new TagJobRequest(List.of(lib), null, false, writeAll, 2, null,
                LabelSource.NONE, null, false), TagJobListener.NONE);
        assertEquals(5, s.found(), s.toString());
        assertEquals(0, s.failed(), s.failures().toString());
        Path music = lib.resolve("music.ogg").toRealPath();
        LibraryEntry m = tagger.entries(List.of(music)).get(0);
        // Real music is judged by the model, never by the audio check: a genre at threshold 0, unless the package's
        // outside-the-taxonomy limit (model.json) finds it unlike the training data, which is a review of its own.
        boolean outside = String.valueOf(m.message()).contains("unlike the training data");
        assertEquals(reasons.size() + (outside ? 1 : 0), s.review(), s.toString());

        for (Map.Entry<String, String> r : reasons.entrySet()) {
            Path f = lib.resolve(r.getKey()).toRealPath();
            LibraryEntry e = tagger.entries(List.of(f)).get(0);
            assertEquals(TagPlan.Decision.REVIEW, e.decision(), r.getKey());
            assertTrue(e.message().contains(AudioSufficiency.MARK) && e.message().contains(r.getValue()),
                    r.getKey() + ": " + e.message());
            Map<String, String> tags = writer.read(f);
            assertFalse(tags.containsKey("GENRE"), r.getKey() + " got a genre: " + tags);
            assertEquals("review", tags.get(TagFields.STATUS), r.getKey() + ": " + tags);
            assertFalse(tags.containsKey(TagFields.CONFIDENCE), r.getKey() + " got a confidence: " + tags);
        }
        assertFalse(String.valueOf(m.message()).contains(AudioSufficiency.MARK), m.message());
        if (outside) {
            assertEquals(TagPlan.Decision.REVIEW, m.decision(), m.message());
            assertFalse(writer.read(music).containsKey("GENRE"), m.message());
        } else {
            assertEquals(TagPlan.Decision.WRITE, m.decision(), m.message());
            assertNotNull(writer.read(music).get("GENRE"));
        }

        // A new temperature re-calibrates from the index: the recorded reason still decides, no genre appears.
        String before = sha(lib.resolve("silence.wav"));
        TagJobSummary again = tagger.tag(new TagJobRequest(List.of(lib), null, false, writeAll, 2, null,
                LabelSource.NONE, null, true), TagJobListener.NONE);
        assertEquals(0, again.failed(), again.failures().toString());
        assertFalse(writer.read(lib.resolve("silence.wav")).containsKey("GENRE"));
        assertEquals(before, sha(lib.resolve("silence.wav")), "a second identical decision leaves the file alone");
    }
}
