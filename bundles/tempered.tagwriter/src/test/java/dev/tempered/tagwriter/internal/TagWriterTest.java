package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagPlan.Decision;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagPolicy.BelowThreshold;
import dev.tempered.api.tag.TagPolicy.ExistingGenre;
import dev.tempered.api.tag.TagResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TagWriterTest {
    @TempDir
    Path tmp;

    static Stream<String> files() {
        return Fixtures.FILES.keySet().stream();
    }

    /** Writes the genre whatever the file had: the tests of the write itself need it written. */
    static final TagPolicy REPLACE = new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.REPLACE, false);

    private TagWriterImpl writer(SafeReplace.Hook hook) {
        return new TagWriterImpl(tmp.resolve("journal"), true, hook);
    }

    private Path work(String name) throws Exception {
        Path d = Files.createDirectories(tmp.resolve("music"));
        Path f = Fixtures.copy(name, d);
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2020-01-02T03:04:05Z")));
        return f;
    }

    @ParameterizedTest
    @MethodSource("files")
    void roundTripKeepsAudioOtherTagsAndPicture(String name) throws Exception {
        Path f = work(name);
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertTrue(w.supports(f));
        String audio = Fixtures.audioMd5(f);
        Map<String, String> probeBefore = Fixtures.probeTags(f);
        String picture = Fixtures.FILES.get(name) ? Fixtures.pictureMd5(f) : null;
        FileTime mtime = Files.getLastModifiedTime(f);

        // REPLACE: some fixtures (wesnoth's) carry a genre, which the default policy would keep.
        TagPlan plan = w.plan(f, Fixtures.prediction(0.8), REPLACE);
        assertEquals(Decision.WRITE, plan.decision());
        TagResult r = w.apply(plan);
        assertTrue(r.written(), r.message());

        Map<String, String> tags = w.read(f);
        assertEquals("Rock", tags.get("GENRE"), "written through the genre names: title case");
        assertEquals("Rock", tags.get(TagFields.SUGGESTION));
        assertEquals("0.8000", tags.get(TagFields.CONFIDENCE));
        assertEquals("rock=0.8000;blues=0.0222;classical=0.0222;country=0.0222;disco=0.0222",
                tags.get(TagFields.DISTRIBUTION));
        assertEquals("gtzan-mlp@1.0.0 T=1.2500", tags.get(TagFields.MODEL));
        assertFalse(tags.containsKey(TagFields.STATUS));

        assertEquals(audio, Fixtures.audioMd5(f), "decoded audio changed");
        Map<String, String> probeAfter = Fixtures.probeTags(f);
        for (Map.Entry<String, String> e : probeBefore.entrySet()) {
            if (!e.getKey().equals("genre")) {
                assertEquals(e.getValue(), probeAfter.get(e.getKey()), "tag " + e.getKey() + " not preserved");
            }
        }
        // ffmpeg shows a WAV's LIST/INFO chunk and ignores its ID3 chunk when both exist: INFO has the genre too.
        assertEquals("Rock", probeAfter.get("genre"), "ffprobe does not see the genre");
        if (!name.endsWith(".wav")) {
            assertEquals("0.8000", probeAfter.get("tempered_confidence"), "ffprobe does not see our field");
        }
        if (picture != null) {
            assertEquals(picture, Fixtures.pictureMd5(f), "cover picture changed");
        }
        assertTrue(Files.getLastModifiedTime(f).compareTo(mtime) > 0,
                "by default a write gets a new modification time, so that sync tools notice it");
        assertNoLeftovers(f.getParent());

        // A second, different result replaces ours and only ours.
        TagPlan again = w.plan(f, Fixtures.prediction(0.3), TagPolicy.defaults());
        assertEquals(Decision.REVIEW, again.decision());
        assertTrue(w.apply(again).written());
        Map<String, String> reviewed = w.read(f);
        assertEquals("Rock", reviewed.get("GENRE"));
        assertEquals("review", reviewed.get(TagFields.STATUS));
        assertEquals("0.3000", reviewed.get(TagFields.CONFIDENCE));
        assertEquals(audio, Fixtures.audioMd5(f));
    }

    @ParameterizedTest
    @MethodSource("files")
    void dryRunTouchesNothing(String name) throws Exception {
        Path f = work(name);
        String sha = Fixtures.sha256(f);
        FileTime mtime = Files.getLastModifiedTime(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        for (double c : new double[] {0.9, 0.2}) {
            TagPlan plan = w.plan(f, Fixtures.prediction(c), TagPolicy.defaults());
            assertFalse(plan.fields().isEmpty());
        }
        w.read(f);
        assertEquals(sha, Fixtures.sha256(f));
        assertEquals(mtime, Files.getLastModifiedTime(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void undoRestoresThePreviousValues(String name) throws Exception {
        Path f = work(name);
        TagWriterImpl w = writer(SafeReplace.NONE);
        Map<String, String> before = w.read(f);
        String audio = Fixtures.audioMd5(f);
        String sha = Fixtures.sha256(f);
        w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
        w.apply(w.plan(f, Fixtures.prediction(0.2), TagPolicy.defaults()));
        assertNotEquals(before, w.read(f));
        TagResult r = w.undo(f);
        assertTrue(r.written(), r.message());
        assertEquals(before, w.read(f));
        if (name.endsWith(".ogg") || name.endsWith(".opus")) {
            // Ogg writes renumber pages, so the audio bytes are not kept as they were: undo restores values.
            assertTrue(r.message().contains("values"), r.message());
        } else {
            assertEquals(sha, Fixtures.sha256(f), "undo gives back the very file: " + r.message());
            assertTrue(r.message().contains("byte for byte"), r.message());
        }
        assertEquals(audio, Fixtures.audioMd5(f));
        assertFalse(w.undo(f).written(), "a second undo has nothing left to undo");
        List<dev.tempered.api.tag.TagJournal.Entry> entries = w.entries(Instant.EPOCH);
        assertEquals(3, entries.size());
        assertTrue(entries.get(2).undo());
    }

    private static int lastByte(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        return b[b.length - 1] & 0xff;
    }

    private static boolean startsWithId3v2(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        return b[0] == 'I' && b[1] == 'D' && b[2] == '3';
    }

    @Test
    void id3v1FollowsTheId3v2Genre() throws Exception {
        Path f = work("v23.mp3");
        Path both = f.resolveSibling("both.mp3");
        Fixtures.ffmpeg("-i", f.toString(), "-map", "0", "-c", "copy", "-id3v2_version", "3", "-write_id3v1", "1",
                "-metadata", "genre=Soundtrack", both.toString());
        assertEquals(24, lastByte(both), "the fixture's ID3v1 genre is Soundtrack (24)");
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertTrue(w.apply(w.plan(both, Fixtures.prediction(0.9), REPLACE)).written());
        assertEquals("Rock", w.read(both).get("GENRE"));
        assertEquals(17, lastByte(both), "ID3v1 genre follows: Rock is 17");
        String title = Fixtures.probeTags(both).get("title");
        assertEquals("Frontiers", title);
    }

    @Test
    void undoOfAnId3v1OnlyMp3GivesBackTheV1OnlyFile() throws Exception {
        Path f = work("v1only.mp3");
        // As Debian's asc-music files are: genre Soundtrack in ID3v1, no ID3v2.
        try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {24}), Files.size(f) - 1);
        }
        String sha = Fixtures.sha256(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertEquals("Soundtrack", w.read(f).get("GENRE"));
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), REPLACE)).written());
        assertTrue(startsWithId3v2(f));
        assertEquals(17, lastByte(f), "v1 follows the new genre");
        TagResult r = w.undo(f);
        assertTrue(r.written(), r.message());
        assertFalse(startsWithId3v2(f), "no new ID3v2 tag is left behind");
        assertEquals("Soundtrack", w.read(f).get("GENRE"), "not 'Soundtrack  Soundtrack'");
        assertEquals(sha, Fixtures.sha256(f), "the v1-only file as it was");
    }

    @Test
    void undoRestoresValuesWhenTheFileWasChangedOtherwiseSinceOurWrite() throws Exception {
        Path f = work("a.flac");
        TagWriterImpl w = writer(SafeReplace.NONE);
        Map<String, String> before = w.read(f);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), REPLACE)).written());
        // Another tool adds a field of its own (not ours, not the genre): bytes must not wipe it out.
        Path other = f.resolveSibling("other.flac");
        Fixtures.ffmpeg("-i", f.toString(), "-map", "0", "-c", "copy", "-metadata", "mood=calm", other.toString());
        Files.move(other, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TagResult r = w.undo(f);
        assertTrue(r.written(), r.message());
        assertTrue(r.message().contains("values"), r.message());
        assertEquals(before, w.read(f));
        assertEquals("calm", Fixtures.probeTags(f).get("mood"), "the other tool's field survives");
    }

    /** The ID3 chunk of a WAV as mutagen (Debian's python3-mutagen) reads it: frame id to text. */
    static Map<String, String> mutagenWavId3(Path f) throws Exception {
        String out = Fixtures.run(List.of("/usr/bin/python3", "-c", "import sys\nfrom mutagen.wave import WAVE\n"
                + "t = WAVE(sys.argv[1]).tags\nfor k in (t.keys() if t else []):\n"
                + "    print(k.split(':')[0] + '=' + str(t[k]))", f.toString()));
        Map<String, String> m = new java.util.TreeMap<>();
        for (String line : out.split("\n")) {
            if (line.contains("=")) {
                m.putIfAbsent(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return m;
    }

    private Path infoWav(String name) throws Exception {
        Path f = Files.createDirectories(tmp.resolve("music")).resolve(name);
        Fixtures.ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=8000", "-metadata",
                "title=Frontiers", "-metadata", "artist=ASC", "-metadata", "album=Corpus", "-metadata", "genre=Jazz",
                f.toString());
        return f;
    }

    @Test
    void wavKeepsRiffInfoAndId3InSync() throws Exception {
        Path f = infoWav("info.wav");
        String sha = Fixtures.sha256(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertEquals("Jazz", w.read(f).get("GENRE"), "the INFO genre is the librarian's genre");
        TagPlan keep = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        assertEquals(List.of(), keep.genres(), "kept by default: " + keep.reason());

        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), REPLACE)).written());
        assertEquals("Rock", Fixtures.probeTags(f).get("genre"), "INFO (ffprobe) has the new genre");
        assertEquals("Frontiers", Fixtures.probeTags(f).get("title"));
        Map<String, String> id3 = mutagenWavId3(f);
        assertEquals("Rock", id3.get("TCON"), "ID3 (mutagen) has the new genre: " + id3);
        assertEquals("Frontiers", id3.get("TIT2"), "title carried from INFO into ID3: " + id3);
        assertEquals("ASC", id3.get("TPE1"));
        assertEquals("Corpus", id3.get("TALB"));

        TagResult r = w.undo(f);
        assertTrue(r.written(), r.message());
        assertEquals(sha, Fixtures.sha256(f), "undo leaves no ID3 chunk behind: the very file");
        assertTrue(mutagenWavId3(f).isEmpty());
    }

    @Test
    void aWavWithBothInfoAndId3IsTagged() throws Exception {
        Path f = infoWav("both.wav");
        Fixtures.run(List.of("/usr/bin/python3", "-c", "import sys\nfrom mutagen.wave import WAVE\n"
                + "from mutagen.id3 import TIT2, TCON\nw = WAVE(sys.argv[1])\nw.add_tags()\n"
                + "w.tags.add(TIT2(encoding=3, text='Frontiers'))\nw.tags.add(TCON(encoding=3, text='Jazz'))\n"
                + "w.save()", f.toString()));
        String sha = Fixtures.sha256(f);
        String audio = Fixtures.audioMd5(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagResult r = w.apply(w.plan(f, Fixtures.prediction(0.9), REPLACE));
        assertTrue(r.written(), r.message());
        assertEquals("Rock", Fixtures.probeTags(f).get("genre"));
        Map<String, String> id3 = mutagenWavId3(f);
        assertEquals("Rock", id3.get("TCON"), id3.toString());
        assertEquals("Frontiers", id3.get("TIT2"));
        assertEquals("ASC", id3.get("TPE1"), "artist carried from INFO");
        assertEquals("0.9000", w.read(f).get(TagFields.CONFIDENCE));
        assertEquals(audio, Fixtures.audioMd5(f));
        assertTrue(w.undo(f).written());
        assertEquals(sha, Fixtures.sha256(f));
    }

    @Test
    void theWavRebuildsTemporaryFileIsOneTheCleanupRecognises() {
        // CrashTest found a ".x.wav.tempered-PID-TOKEN.tmp.riff" left by a kill during the WAV rebuild.
        Path written = Path.of("/m/.a.wav.tempered-1234-0123456789ab.tmp");
        assertTrue(SafeReplace.LEFTOVER.matcher(written.getFileName().toString()).matches());
        assertTrue(SafeReplace.LEFTOVER.matcher(WavChunks.rebuildTemp(written).getFileName().toString()).matches(),
                WavChunks.rebuildTemp(written).toString());
    }

    @Test
    void aPreviewDecidesAsAPlanDoesWithoutKeepingAFingerprint() throws Exception {
        TagWriterImpl w = writer(SafeReplace.NONE);
        for (String name : List.of("v24.mp3", "a.flac", "a.opus")) {
            Path f = work(name);
            for (double c : new double[] {0.9, 0.2}) {
                dev.tempered.api.tag.TagPlan preview = w.preview(f, Fixtures.prediction(c), TagPolicy.defaults());
                dev.tempered.api.tag.TagPlan plan = w.plan(f, Fixtures.prediction(c), TagPolicy.defaults());
                assertEquals(plan, preview, name + " at " + c);
            }
        }
        // Previews are not remembered: a thousand of them leave the plans a write needs alone.
        Path f = work("a.flac");
        dev.tempered.api.tag.TagPlan kept = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        for (int i = 0; i < 1000; i++) {
            w.preview(f, Fixtures.prediction(0.5 + i / 4000.0), TagPolicy.defaults());
        }
        assertTrue(w.apply(kept).written());
    }

    @Test
    void aTornJournalLineLosesNoLaterEntry() throws Exception {
        TagWriterImpl w = writer(SafeReplace.NONE);
        Path a = work("v24.mp3");
        Path b = work("a.flac");
        Map<String, String> bb = w.read(b);
        w.apply(w.plan(a, Fixtures.prediction(0.9), TagPolicy.defaults()));
        Path journal = tmp.resolve("journal").resolve(Journal.FILE_NAME);
        // What a full disk leaves: the start of an entry and no newline.
        String whole = Files.readAllLines(journal).get(0);
        Files.writeString(journal, whole.substring(0, whole.length() / 2), StandardOpenOption.APPEND);
        w.apply(w.plan(b, Fixtures.prediction(0.9), TagPolicy.defaults()));
        assertEquals(List.of(a, b), w.entries(Instant.EPOCH).stream().map(e -> e.file()).toList());
        TagResult r = w.undo(b);
        assertTrue(r.written(), r.message());
        assertEquals(bb, w.read(b));

        // A journal written before the fix holds the next entry glued behind the torn one: it is still read.
        List<String> lines = Files.readAllLines(journal);
        Files.writeString(journal, lines.get(0) + "\n" + lines.get(0).substring(0, 40) + lines.get(0) + "\n");
        assertEquals(List.of(a, a), w.entries(Instant.EPOCH).stream().map(e -> e.file()).toList());
    }

    @Test
    void undoLeavesAFileAloneThatWasRetaggedSince() throws Exception {
        Path f = work("a.flac");
        TagWriterImpl w = writer(SafeReplace.NONE);
        w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
        Path other = Files.createDirectories(tmp.resolve("other-journal"));
        TagWriterImpl someoneElse = new TagWriterImpl(other, true, SafeReplace.NONE);
        someoneElse.apply(someoneElse.plan(f, Fixtures.prediction(0.95), TagPolicy.defaults()));
        String sha = Fixtures.sha256(f);
        TagResult r = w.undo(f);
        assertFalse(r.written());
        assertTrue(r.message().contains("changed"), r.message());
        assertEquals(sha, Fixtures.sha256(f));
    }

    @Test
    void undoSinceCoversEveryFile() throws Exception {
        TagWriterImpl w = writer(SafeReplace.NONE);
        Path a = work("v24.mp3");
        Path b = work("a.opus");
        Map<String, String> ba = w.read(a);
        Map<String, String> bb = w.read(b);
        Instant t0 = Instant.now();
        w.apply(w.plan(a, Fixtures.prediction(0.9), TagPolicy.defaults()));
        w.apply(w.plan(b, Fixtures.prediction(0.9), TagPolicy.defaults()));
        List<TagResult> rs = w.undoSince(t0);
        assertEquals(2, rs.size());
        assertTrue(rs.stream().allMatch(TagResult::written));
        assertEquals(ba, w.read(a));
        assertEquals(bb, w.read(b));
    }

    @Test
    void policyBelowThresholdSkipWritesNothing() throws Exception {
        Path f = work("v23.mp3");
        String sha = Fixtures.sha256(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPolicy skip = new TagPolicy(0.5, BelowThreshold.SKIP, ExistingGenre.REPLACE, true);
        TagPlan plan = w.plan(f, Fixtures.prediction(0.49), skip);
        assertEquals(Decision.SKIP, plan.decision());
        assertFalse(w.apply(plan).written());
        assertEquals(sha, Fixtures.sha256(f));
    }

    @Test
    void nonFiniteNumbersNeverReachAFile() throws Exception {
        Path f = work("a.flac");
        String sha = Fixtures.sha256(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        List<String> labels = List.of("classical", "rock");
        var nan = dev.tempered.api.calibration.GenrePrediction.of(new dev.tempered.api.ModelRef("m", "1"), 1e-320,
                labels, new double[] {Double.NaN, Double.NaN}, 0);
        TagException e = assertThrows(TagException.class, () -> w.plan(f, nan, TagPolicy.defaults()));
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("a.flac"), e.getMessage());
        var infiniteT = dev.tempered.api.calibration.GenrePrediction.of(new dev.tempered.api.ModelRef("m", "1"),
                Double.POSITIVE_INFINITY, labels, new double[] {0.5, 0.5}, 0);
        assertThrows(TagException.class, () -> w.plan(f, infiniteT, TagPolicy.defaults()));
        // A plan built by hand, not by plan(), is checked again before anything is written.
        TagPlan good = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        for (Map.Entry<String, String> bad : List.of(Map.entry(TagFields.CONFIDENCE, "NaN"),
                Map.entry(TagFields.DISTRIBUTION, "rock=NaN;pop=0.1"), Map.entry(TagFields.MODEL, "m@1 T=Infinity"),
                Map.entry(TagFields.CONFIDENCE, "0x1p3"))) {
            Map<String, String> fields = new java.util.LinkedHashMap<>(good.fields());
            fields.put(bad.getKey(), bad.getValue());
            TagPlan forged = new TagPlan(good.file(), good.decision(), good.genres(), fields, good.previous(),
                    good.reason());
            TagException refused = assertThrows(TagException.class, () -> w.apply(forged), bad.toString());
            assertTrue(refused.getMessage().contains(bad.getKey()), refused.getMessage());
        }
        assertEquals(sha, Fixtures.sha256(f), "the file is byte for byte what it was");
        assertTrue(w.apply(good).written(), "a finite plan is still written");
    }

    @Test
    void policyReviewWritesOnlyOurFields() throws Exception {
        Path f = work("a.flac");
        TagWriterImpl w = writer(SafeReplace.NONE);
        w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
        TagPlan plan = w.plan(f, Fixtures.prediction(0.4), TagPolicy.defaults());
        assertEquals(Decision.REVIEW, plan.decision());
        assertTrue(plan.genres().isEmpty());
        assertEquals("review", plan.fields().get(TagFields.STATUS));
        w.apply(plan);
        assertEquals("Rock", w.read(f).get("GENRE"));
        assertEquals("review", w.read(f).get(TagFields.STATUS));
        // A later confident result clears the review mark.
        w.apply(w.plan(f, Fixtures.prediction(0.7), TagPolicy.defaults()));
        assertFalse(w.read(f).containsKey(TagFields.STATUS));
    }

    @ParameterizedTest
    @MethodSource("files")
    void existingGenreKeepReplaceAppend(String name) throws Exception {
        Path f = work(name);
        TagWriterImpl w = writer(SafeReplace.NONE);
        w.apply(w.plan(f, Fixtures.prediction(0.9), REPLACE));
        // Make "rock" someone else's genre by writing "jazz" through a plan whose top label is jazz.
        TagPlan keep = w.plan(f, Fixtures.prediction(0.9), new TagPolicy(0.5, BelowThreshold.REVIEW,
                ExistingGenre.KEEP, true));
        assertTrue(keep.genres().isEmpty(), "KEEP leaves the genre alone");
        TagPlan append = w.plan(f, Fixtures.prediction(0.9), new TagPolicy(0.5, BelowThreshold.REVIEW,
                ExistingGenre.APPEND, true));
        assertTrue(append.genres().isEmpty(), "APPEND does not add a genre that is there");
        // A genre that is not ours yet:
        Path g = f.resolveSibling(name.replace(".", "-2."));
        Files.copy(f, g);
        var jazz = dev.tempered.api.calibration.GenrePrediction.of(new dev.tempered.api.ModelRef("m", "1"), 1.0,
                List.of("jazz", "rock"), new double[] {0.9, 0.1}, 0);
        TagPlan appended = w.plan(g, jazz, new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.APPEND, true));
        assertEquals(List.of("Rock", "Jazz"), appended.genres());
        assertTrue(w.apply(appended).written());
        assertEquals("Rock; Jazz", w.read(g).get("GENRE"));
        TagPlan kept = w.plan(g, jazz, new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.KEEP, true));
        assertTrue(kept.genres().isEmpty());
    }

    /** Another tool (a person's tagger) setting the genre: a writer with its own journal. */
    private void someoneSetsGenre(Path f, String genre) throws Exception {
        TagWriterImpl other = new TagWriterImpl(Files.createDirectories(tmp.resolve("their-journal")), true,
                SafeReplace.NONE);
        assertTrue(other.apply(other.planEdit(f, List.of(genre), Map.of(), "a person's edit", true)).written());
        assertEquals(genre, other.read(f).get("GENRE"));
    }

    @ParameterizedTest
    @MethodSource("files")
    void anExistingGenreIsKeptByDefaultAndOurSuggestionGoesToOurFields(String name) throws Exception {
        Path f = work(name);
        someoneSetsGenre(f, "Baroque Chamber");
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPlan plan = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        assertEquals(Decision.REVIEW, plan.decision(), plan.reason());
        assertTrue(plan.genres().isEmpty(), "the librarian's genre stays");
        assertTrue(w.apply(plan).written());
        Map<String, String> tags = w.read(f);
        assertEquals("Baroque Chamber", tags.get("GENRE"));
        assertEquals("Rock", tags.get(TagFields.SUGGESTION));
        assertEquals(TagFields.REVIEW, tags.get(TagFields.STATUS));
        assertFalse(TagFields.genreWrittenByTempered(tags), "a kept genre is the person's, a label for evaluate");
    }

    @Test
    void aGenreChangedSinceOurWriteIsNeverOverwrittenEvenWhenReplacing() throws Exception {
        Path f = work("v23.mp3");
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPolicy replace = new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.REPLACE, false);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), replace)).written());
        assertEquals("Rock", w.read(f).get("GENRE"));
        // Our own earlier genre may be replaced by a newer answer of ours...
        var jazz = dev.tempered.api.calibration.GenrePrediction.of(new dev.tempered.api.ModelRef("m", "1"), 1.0,
                List.of("jazz", "rock"), new double[] {0.9, 0.1}, 0);
        assertEquals(List.of("Jazz"), w.plan(f, jazz, replace).genres());
        // ...but not a correction a person made since.
        someoneSetsGenre(f, "Hip-Hop");
        TagPlan plan = w.plan(f, jazz, replace);
        assertTrue(plan.genres().isEmpty(), plan.reason());
        assertTrue(plan.reason().contains("changed by someone"), plan.reason());
        w.apply(plan);
        assertEquals("Hip-Hop", w.read(f).get("GENRE"));
    }

    @Test
    void genrePolicyFillEmptyKeepReplaceAppend() {
        TagPolicy.GenreOutcome g;
        for (ExistingGenre e : ExistingGenre.values()) {
            TagPolicy p = new TagPolicy(0.5, BelowThreshold.REVIEW, e, false);
            g = p.genre(List.of(), "hiphop", false);
            assertEquals(e == ExistingGenre.KEEP ? List.of() : List.of("Hip-Hop"), g.genres(), e.name());
            g = p.genre(List.of("Soundtrack"), "hiphop", false);
            assertEquals(switch (e) {
                case REPLACE -> List.of("Hip-Hop");
                case APPEND -> List.of("Soundtrack", "Hip-Hop");
                default -> List.of();
            }, g.genres(), e.name());
            assertEquals(e == ExistingGenre.KEEP || e == ExistingGenre.FILL_EMPTY, g.conflict(), e.name());
            g = p.genre(List.of("Soundtrack"), "hiphop", true);
            assertEquals(List.of(), g.genres(), e.name() + ": a person's edit is never overwritten");
            g = p.genre(List.of("Hip Hop"), "hiphop", false);
            assertFalse(g.conflict(), "Hip Hop means hiphop");
        }
        assertEquals(TagPolicy.ExistingGenre.FILL_EMPTY, TagPolicy.defaults().existingGenre());
    }

    @Test
    void suggestAndApplyThresholdsAreSeparate() {
        TagPolicy p = new TagPolicy(0.8, BelowThreshold.REVIEW, ExistingGenre.FILL_EMPTY, false, 0.4,
                dev.tempered.api.tag.GenreNames.defaults());
        assertEquals(Decision.WRITE, p.decide(0.8));
        assertEquals(Decision.REVIEW, p.decide(0.6));
        assertEquals(Decision.SKIP, p.decide(0.39));
        assertEquals(0.5, TagPolicy.defaults().threshold());
        assertEquals(0.7, TagPolicy.defaults().withConfigured(java.util.OptionalDouble.of(0.7)).threshold(),
                "the model's configured min.confidence applies when no threshold was given");
        assertEquals(0.8, p.withConfigured(java.util.OptionalDouble.of(0.7)).threshold(), "a given one wins");
        assertThrows(IllegalArgumentException.class, () -> new TagPolicy(0.3, BelowThreshold.REVIEW,
                ExistingGenre.KEEP, false, 0.4, dev.tempered.api.tag.GenreNames.defaults()));
    }

    @Test
    void genreNamesTitleCaseByDefaultAndAUserMapWins() throws Exception {
        var d = dev.tempered.api.tag.GenreNames.defaults();
        assertEquals("Hip-Hop", d.name("hiphop"));
        assertEquals("Rock", d.name("rock"));
        assertEquals("Old-Time / Historic", d.name("old-time / historic"));
        Path map = tmp.resolve("genres.txt");
        Files.writeString(map, "# my taxonomy\nclassical = Classical Music\n\nhiphop=Rap\n");
        var mine = dev.tempered.api.tag.GenreNames.load(map);
        assertEquals("Classical Music", mine.name("classical"));
        assertEquals("Rap", mine.name("HipHop"));
        assertEquals("Jazz", mine.name("jazz"));
        assertTrue(mine.means("rap", "hiphop"));
        Files.writeString(map, "classical Classical\n");
        IOException e = assertThrows(IOException.class, () -> dev.tempered.api.tag.GenreNames.load(map));
        assertTrue(e.getMessage().contains(":1:"), e.getMessage());
        // The writer uses the policy's names.
        Path f = work("a.flac");
        TagWriterImpl w = writer(SafeReplace.NONE);
        var classical = dev.tempered.api.calibration.GenrePrediction.of(new dev.tempered.api.ModelRef("m", "1"), 1.0,
                List.of("classical", "rock"), new double[] {0.9, 0.1}, 0);
        Files.writeString(map, "classical = Classical Music\n");
        TagPolicy p = new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.FILL_EMPTY, false, 0,
                dev.tempered.api.tag.GenreNames.load(map));
        w.apply(w.plan(f, classical, p));
        assertEquals("Classical Music", w.read(f).get("GENRE"));
    }

    @Test
    void aRejectedFileIsLeftAloneByLaterRunsAndByUndo() throws Exception {
        Path f = work("a.opus");
        TagWriterImpl w = writer(SafeReplace.NONE);
        w.apply(w.plan(f, Fixtures.prediction(0.3), TagPolicy.defaults()));
        assertEquals(TagFields.REVIEW, w.read(f).get(TagFields.STATUS));
        w.apply(w.planEdit(f, List.of(), Map.of(TagFields.STATUS, TagFields.REJECTED), "rejected", false));
        String sha = Fixtures.sha256(f);
        TagPlan again = w.plan(f, Fixtures.prediction(0.99), TagPolicy.defaults());
        assertEquals(Decision.SKIP, again.decision(), again.reason());
        assertFalse(w.apply(again).written());
        TagResult undo = w.undo(f);
        assertFalse(undo.written(), undo.message());
        assertTrue(undo.message().contains("do-not-touch"), undo.message());
        assertEquals(sha, Fixtures.sha256(f));
    }

    @Test
    void readOnlyFileIsRefusedAndUntouched() throws Exception {
        Path f = work("v24.mp3");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
        String sha = Fixtures.sha256(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPlan plan = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        TagException e = assertThrows(TagException.class, () -> w.apply(plan));
        assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
        assertEquals(sha, Fixtures.sha256(f));
        assertNoLeftovers(f.getParent());
    }

    @ParameterizedTest
    @MethodSource("files")
    void temporaryCopyHasTheOriginalsModeFromTheStart(String name) throws Exception {
        // A 0600 original must never have a world-readable copy beside it, not even before the copy is finished
        // (before: wav, ogg, opus and shared-page.ogg copies were rw-r--r-- until the end).
        Path f = work(name);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        List<String> seen = new ArrayList<>();
        TagWriterImpl w = writer((step, original, temp) -> {
            if (step == SafeReplace.Step.COPY_WRITTEN) {
                seen.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(temp)));
            }
        });
        TagResult r = w.apply(w.plan(f, Fixtures.prediction(0.9), REPLACE));
        assertTrue(r.written(), r.message());
        assertEquals(List.of("rw-------"), seen);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @ParameterizedTest
    @MethodSource("files")
    void aFileWhoseNameIsNotValidUtf8IsWrittenAndUndone(String name) throws Exception {
        // Latin-1 bytes (0xE9) in the name: Java keeps them in the Path; jaudiotagger opens a java.io.File made
        // from the U+FFFD string, which names no file.
        Path f = work(name);
        String ext = name.substring(name.lastIndexOf('.'));
        Process p = new ProcessBuilder("/bin/sh", "-c", "mv \"$0\" \"$(dirname \"$0\")/$(printf 'caf\\351')$1\"",
                f.toString(), ext).redirectErrorStream(true).start();
        assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
        Path odd;
        try (var list = Files.list(f.getParent())) {
            odd = list.filter(x -> x.getFileName().toString().startsWith("caf")).findFirst().orElseThrow();
        }
        assertFalse(Path.of(odd.toString()).equals(odd), "the name does not survive a string");
        String sha = Fixtures.sha256(odd);
        TagWriterImpl w = writer(SafeReplace.NONE);
        Map<String, String> before = w.read(odd);
        TagResult r = w.apply(w.plan(odd, Fixtures.prediction(0.9), REPLACE));
        assertTrue(r.written(), r.message());
        assertEquals("0.9000", w.read(odd).get(TagFields.CONFIDENCE), name);
        TagResult u = w.undo(odd);
        assertTrue(u.written(), name + ": " + u.message());
        assertEquals(before, w.read(odd), name);
        if (!name.endsWith(".ogg") && !name.endsWith(".opus")) {
            // As for any name: Ogg writes renumber pages, so there undo restores values (undoRestoresThePreviousValues).
            assertEquals(sha, Fixtures.sha256(odd), name + ": undo restores the bytes");
        }
        assertNoLeftovers(odd.getParent());
    }

    @Test
    void aFileInAReadOnlyFolderIsRefusedEvenForRoot() throws Exception {
        Path f = work("v24.mp3");
        String sha = Fixtures.sha256(f);
        Path dir = f.getParent();
        Set<java.nio.file.attribute.PosixFilePermission> before = Files.getPosixFilePermissions(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            TagWriterImpl w = writer(SafeReplace.NONE);
            TagPlan plan = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
            // The tests run as root here and in CI: root could write into 0555, and did before.
            TagException e = assertThrows(TagException.class, () -> w.apply(plan));
            assertTrue(e.getMessage().contains("directory is not writable"), e.getMessage());
            assertEquals(sha, Fixtures.sha256(f));
            try (var files = Files.list(dir)) {
                assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary copy");
            }
        } finally {
            Files.setPosixFilePermissions(dir, before);
        }
    }

    @Test
    void fileChangedWhileWeWorkedIsNotReplaced() throws Exception {
        Path f = work("a.ogg");
        TagWriterImpl w = writer((step, original, temp) -> {
            if (step == SafeReplace.Step.BEFORE_RENAME) {
                Files.write(original, new byte[] {0}, StandardOpenOption.APPEND);
            }
        });
        TagPlan plan = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        Path expected = tmp.resolve("expected");
        Files.copy(f, expected);
        Files.write(expected, new byte[] {0}, StandardOpenOption.APPEND);
        TagException e = assertThrows(TagException.class, () -> w.apply(plan));
        assertTrue(e.getMessage().contains("changed while we worked"), e.getMessage());
        assertEquals(Fixtures.sha256(expected), Fixtures.sha256(f), "the other writer's change must stay");
        assertNoLeftovers(f.getParent());
    }

    @Test
    void fileChangedSincePlanningIsRefused() throws Exception {
        Path f = work("alac.m4a");
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPlan plan = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2021-01-01T00:00:00Z")));
        String sha = Fixtures.sha256(f);
        TagException e = assertThrows(TagException.class, () -> w.apply(plan));
        assertTrue(e.getMessage().contains("changed since it was planned"), e.getMessage());
        assertEquals(sha, Fixtures.sha256(f));
    }

    @ParameterizedTest
    @MethodSource("files")
    void damagedCopyFailsVerification(String name) throws Exception {
        Path f = work(name);
        TagWriterImpl w = writer((step, original, temp) -> {
            if (step == SafeReplace.Step.COPY_WRITTEN) {
                // Flip one byte in the middle of the audio.
                try (var ch = java.nio.channels.FileChannel.open(temp, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    long pos = ch.size() * 3 / 4;
                    var b = java.nio.ByteBuffer.allocate(1);
                    ch.read(b, pos);
                    b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
                    ch.write(b, pos);
                }
            }
        });
        String sha = Fixtures.sha256(f);
        TagPlan plan = w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults());
        TagException e = assertThrows(TagException.class, () -> w.apply(plan));
        assertTrue(e.getMessage().contains("verification failed") || e.getMessage().contains("checksum"),
                e.getMessage());
        assertEquals(sha, Fixtures.sha256(f));
        assertNoLeftovers(f.getParent());
    }

    @Test
    void fullDiskIsReportedAndLeavesTheFile() throws Exception {
        Path f = work("a.wav");
        TagWriterImpl w = writer((step, original, temp) -> {
            if (step == SafeReplace.Step.COPY_WRITTEN) {
                throw new IOException("No space left on device");
            }
        });
        String sha = Fixtures.sha256(f);
        TagException e = assertThrows(TagException.class,
                () -> w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults())));
        assertTrue(e.getMessage().contains("disk is full"), e.getMessage());
        assertEquals(sha, Fixtures.sha256(f));
        assertNoLeftovers(f.getParent());
    }

    @Test
    void otherTxxxFramesSurvive() throws Exception {
        Path f = work("v23.mp3");
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertEquals("not ours", Fixtures.probeTags(f).get("custom_note"));
        w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
        w.apply(w.plan(f, Fixtures.prediction(0.8), TagPolicy.defaults()));
        Map<String, String> probe = Fixtures.probeTags(f);
        assertEquals("not ours", probe.get("custom_note"));
        assertEquals("0.8000", probe.get("tempered_confidence"));
    }

    @Test
    void leftoversOfDeadWritersAreRemoved() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("music"));
        Path f = Fixtures.copy("a.opus", d);
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path ours = d.resolve(SafeReplace.tempName("a.opus", "0123456789ab").replace(
                "-" + ProcessHandle.current().pid() + "-", "-" + dead.pid() + "-"));
        Path jat = d.resolve("_a_opus_tempered-" + dead.pid() + "-0123456789ab_tmp123456.tmp");
        Path live = d.resolve(".a.opus.tempered-1-0123456789ab.tmp");
        Path unrelated = d.resolve(".a.opus.tmp");
        for (Path p : List.of(ours, jat, live, unrelated)) {
            Files.write(p, new byte[] {1});
        }
        TagWriterImpl w = writer(SafeReplace.NONE);
        w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
        assertFalse(Files.exists(ours));
        assertFalse(Files.exists(jat));
        assertTrue(Files.exists(live), "pid 1 is alive: its temporary file may be in use");
        assertTrue(Files.exists(unrelated));
    }

    @Test
    void opusCommentSpanningSeveralPagesIsRewritten() throws Exception {
        // A 60 KB picture makes the OpusTags packet span two pages; our write changes the page count of the header.
        Path d = Files.createDirectories(tmp.resolve("music"));
        byte[] big = new byte[60_000];
        new java.util.Random(1).nextBytes(big);
        Path f = d.resolve("big.opus");
        Fixtures.ffmpeg("-i", Fixtures.dir().resolve("a.opus").toString(), "-c", "copy", "-metadata:s:a:0",
                "METADATA_BLOCK_PICTURE=" + Fixtures.flacPicture(big), f.toString());
        String audio = Fixtures.audioMd5(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
        assertEquals("Rock", w.read(f).get("GENRE"));
        assertEquals(audio, Fixtures.audioMd5(f));
        // Shrink it back below one page: the header loses a page and every audio page is renumbered.
        Path g = d.resolve("small.opus");
        Fixtures.ffmpeg("-i", f.toString(), "-c", "copy", "-metadata:s:a:0", "METADATA_BLOCK_PICTURE=", g.toString());
        assertTrue(w.apply(w.plan(g, Fixtures.prediction(0.7), TagPolicy.defaults())).written());
        assertEquals("0.7000", Fixtures.probeTags(g).get("tempered_confidence"));
        assertEquals(audio, Fixtures.audioMd5(g));
    }

    @Test
    void aSymlinkIsFollowedAndKept() throws Exception {
        Path f = work("a.flac");
        Path link = Files.createSymbolicLink(tmp.resolve("link.flac"), f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertTrue(w.apply(w.plan(link, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("Rock", w.read(f).get("GENRE"));
    }

    @Test
    void permissionsAreKept() throws Exception {
        Path f = work("aac.m4a");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void extendedAttributesAndTheSetgidBitAreKept() throws Exception {
        Path f = work("a.flac");
        var xattrs = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        xattrs.write("tempered.test", java.nio.ByteBuffer.wrap("checksum=42".getBytes()));
        Files.setAttribute(f, "unix:mode", 02664);
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
        assertEquals(02664, ((Integer) Files.getAttribute(f, "unix:mode")) & 07777, "setgid and mode bits kept");
        var after = Files.getFileAttributeView(f, java.nio.file.attribute.UserDefinedFileAttributeView.class);
        assertTrue(after.list().contains("tempered.test"), after.list().toString());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(after.size("tempered.test"));
        after.read("tempered.test", b);
        assertEquals("checksum=42", new String(b.array()));
    }

    @Test
    void modificationTimeIsKeptWhenAsked() throws Exception {
        Path f = work("v23.mp3");
        FileTime old = Files.getLastModifiedTime(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPolicy keep = new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.FILL_EMPTY, true);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), keep)).written());
        assertEquals(old, Files.getLastModifiedTime(f), "--keep-mtime");
    }

    @Test
    void modificationTimeFollowsThePolicy() throws Exception {
        Path f = work("a.aiff");
        FileTime old = Files.getLastModifiedTime(f);
        TagWriterImpl w = writer(SafeReplace.NONE);
        TagPolicy touch = new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.REPLACE, false);
        assertTrue(w.apply(w.plan(f, Fixtures.prediction(0.9), touch)).written());
        assertTrue(Files.getLastModifiedTime(f).compareTo(old) > 0, "mtime should be new when not preserved");
    }

    @Test
    void unsupportedFileIsRefusedClearly() throws Exception {
        Path f = tmp.resolve("notes.txt");
        Files.writeString(f, "not audio at all, just text");
        TagWriterImpl w = writer(SafeReplace.NONE);
        assertFalse(w.supports(f));
        TagException e = assertThrows(TagException.class,
                () -> w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
        assertTrue(e.getMessage().contains("unsupported format"), e.getMessage());
    }

    static void assertNoLeftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> left = s.filter(p -> p.getFileName().toString().contains("tempered-")).toList();
            assertEquals(List.of(), left, "temporary files left behind");
        }
    }
}
