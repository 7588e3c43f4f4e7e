package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagResult;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every format the writer supports, written by Tempered, then read back by three independent readers: TagLib
 * (kid3-cli), mutagen (Debian's python3-mutagen) and FFmpeg (ffprobe). All must see the new genre and Tempered's
 * fields, and the title the file had. The Debian packages come from {@code scripts/setup-debian.sh --test}.
 */
class InteropTest {
    @TempDir
    Path tmp;

    static Stream<String> files() {
        return Fixtures.FILES.keySet().stream();
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyReaderSeesWhatTemperedWrote(String name) throws Exception {
        Path f = Fixtures.copy(name, Files.createDirectories(tmp.resolve("music")));
        TagWriterImpl w = new TagWriterImpl(tmp.resolve("journal"), true, SafeReplace.NONE);
        TagResult r = w.apply(w.plan(f, Fixtures.prediction(0.8), TagWriterTest.REPLACE));
        assertTrue(r.written(), r.message());
        Map<String, String> ours = w.read(f);
        String title = Fixtures.probeTags(f).get("title");

        // TagLib, as kid3-cli exposes it (its tag 2: ID3v2, Vorbis comments, MP4 atoms).
        Map<String, String> kid3 = kid3(f, "genre", "title", TagFields.CONFIDENCE, TagFields.SUGGESTION,
                TagFields.MODEL, TagFields.DISTRIBUTION);
        assertEquals("Rock", kid3.get("genre"), "TagLib: " + kid3);
        assertEquals(title, kid3.get("title"), "TagLib: " + kid3);
        for (String field : List.of(TagFields.CONFIDENCE, TagFields.SUGGESTION, TagFields.MODEL,
                TagFields.DISTRIBUTION)) {
            assertEquals(ours.get(field), kid3.get(field), "TagLib, " + field + ": " + kid3);
        }

        Map<String, String> mutagen = mutagen(f);
        assertEquals("Rock", mutagen.get("GENRE"), "mutagen: " + mutagen);
        for (String field : List.of(TagFields.CONFIDENCE, TagFields.SUGGESTION, TagFields.MODEL,
                TagFields.DISTRIBUTION)) {
            assertEquals(ours.get(field), mutagen.get(field), "mutagen, " + field + ": " + mutagen);
        }
        if (mutagen.containsKey("TITLE")) {
            assertEquals(title, mutagen.get("TITLE"), "mutagen: " + mutagen);
        }

        Map<String, String> probe = Fixtures.probeTags(f);
        assertEquals("Rock", probe.get("genre"), "ffprobe: " + probe);
        if (!name.endsWith(".wav")) {
            // ffprobe shows a WAV's RIFF INFO chunk, which has no place for fields of our own (only 4-letter ids).
            assertEquals(ours.get(TagFields.CONFIDENCE), probe.get(TagFields.CONFIDENCE.toLowerCase()),
                    "ffprobe: " + probe);
        }
        if (name.endsWith(".mp3") && !name.equals("v24.mp3") && !name.equals("v23.mp3")) {
            assertEquals("Rock", kid3(f, "genre 1").get("genre 1"), "TagLib's ID3v1 genre");
        }
    }

    private static Map<String, String> kid3(Path f, String... fields) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("kid3-cli"));
        for (String field : fields) {
            cmd.add("-c");
            cmd.add("get " + field);
        }
        cmd.add(f.toString());
        String[] lines = Fixtures.run(cmd).split("\n", -1);
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i++) {
            m.put(fields[i], i < lines.length ? lines[i] : null);
        }
        return m;
    }

    private Map<String, String> mutagen(Path f) throws Exception {
        Path script = tmp.resolve("mutagen-tags.py");
        if (!Files.exists(script)) {
            try (InputStream in = InteropTest.class.getResourceAsStream("/mutagen-tags.py")) {
                Files.copy(in, script);
            }
        }
        // Debian's python3, where python3-mutagen is installed (a python3 earlier on PATH may lack it).
        String out = Fixtures.run(List.of("/usr/bin/python3", script.toString(), f.toString()));
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                m.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return m;
    }
}
