package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectionTaggerTest {
    @TempDir
    Path tmp;
    Path lib;
    Path indexDir;

    final Fakes.Loader loader = new Fakes.Loader();
    final Fakes.Model model = new Fakes.Model(Fakes.SPEC);
    final Fakes.Repository repo = new Fakes.Repository(model);
    final Fakes.Calib calib = new Fakes.Calib();
    final Fakes.Writer writer = new Fakes.Writer();

    @BeforeEach
    void library() throws Exception {
        lib = tmp.resolve("lib");
        indexDir = tmp.resolve("home/library");
        Fakes.track(lib, "Rock/a.fake", 200, 2);
        Fakes.track(lib, "Rock/deeper/b.fake", 20, 2);
        Fakes.track(lib, "Classical/c.fake", 45, 1);
        Fakes.track(lib, "Misc/d.fake", 10, 0);
        Files.writeString(lib.resolve("Rock/cover.txt"), "not audio");
    }

    CollectionTaggerComponent tagger() {
        CollectionTaggerComponent t = new CollectionTaggerComponent(repo, loader, calib, indexDir);
        t.addFrontEnd(new Fakes.Front());
        t.setWriter(writer);
        return t;
    }

    TagJobRequest request(boolean dryRun) {
        return new TagJobRequest(List.of(lib), null, dryRun, TagPolicy.defaults(), 2, null, LabelSource.NONE, null,
                false);
    }

    @Test
    void aJobPinsOneTemperatureAndRecordsTheOneItUsed() throws Exception {
        calib.drifting = true;
        TagJobSummary s = tagger().tag(request(true), TagJobListener.NONE);
        assertEquals(4, s.analysed());
        try (LibraryIndex index = LibraryIndex.open(indexDir)) {
            java.util.Set<Double> used = new java.util.HashSet<>();
            for (Path f : List.of(lib.resolve("Rock/a.fake"), lib.resolve("Rock/deeper/b.fake"),
                    lib.resolve("Classical/c.fake"), lib.resolve("Misc/d.fake"))) {
                used.add(index.get(f).orElseThrow().entry().temperature());
            }
            assertEquals(java.util.Set.of(s.temperature()), used);
        }
    }

    @Test
    void tagsEveryAudioFileAndARerunDoesNothingNew() throws Exception {
        TagJobSummary s = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(4, s.found());
        assertEquals(4, s.analysed());
        assertEquals(0, s.failed());
        assertEquals(4, writer.applied.get());
        assertEquals(4, s.written());
        assertTrue(Files.readString(lib.resolve("Classical/c.fake")).contains("GENRE=Classical"));
        int runs = model.runs.get();
        int decodes = loader.requests.size();

        TagJobSummary again = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(4, again.found());
        assertEquals(0, again.analysed());
        assertEquals(4, again.unchanged());
        assertEquals(0, again.written());
        assertEquals(4, writer.applied.get());
        assertEquals(runs, model.runs.get());
        assertEquals(decodes, loader.requests.size());
    }

    @Test
    void aTrackUnlikeTheTrainingDataWaitsForReviewInsteadOfGettingAGenre() throws Exception {
        // A package that declares every prediction with any entropy at all outside its taxonomy.
        dev.tempered.api.model.ModelSpec base = Fakes.SPEC;
        dev.tempered.api.model.ModelSpec strict = new dev.tempered.api.model.ModelSpec(base.ref(), base.task(),
                base.name(), base.labels(), base.sampleRate(), base.frontEnd(), base.windowing(), base.inputName(),
                base.inputShape(), base.outputName(), base.members(), base.mcDropoutPasses(),
                base.defaultTemperature(), Map.of("outsideTaxonomy", Map.of("maxEntropy", 0.0)));
        Fakes.Model m = new Fakes.Model(strict);
        CollectionTaggerComponent t = new CollectionTaggerComponent(new Fakes.Repository(m), loader, calib, indexDir);
        t.addFrontEnd(new Fakes.Front());
        t.setWriter(writer);
        TagJobSummary s = t.tag(request(false), TagJobListener.NONE);
        assertEquals(0, s.failed());
        String c = Files.readString(lib.resolve("Classical/c.fake"));
        assertTrue(c.lines().noneMatch(l -> l.startsWith("GENRE=")), "no genre written: " + c);
        assertTrue(c.contains("TEMPERED_GENRE=Classical"), "our suggestion kept in our field: " + c);
        for (LibraryEntry e : t.entries(List.of(lib))) {
            if (e.probabilities().length > 0 && e.message() != null && !e.message().contains("silent")
                    && !e.message().contains("short")) {
                assertEquals(dev.tempered.api.tag.TagPlan.Decision.REVIEW, e.decision(), e.toString());
            }
        }
        assertTrue(t.entries(List.of(lib)).stream().anyMatch(e -> String.valueOf(e.message())
                .contains("unlike the training data")), t.entries(List.of(lib)).toString());
        // Without the declaration (every shipped package before this one) nothing changes.
        assertNull(TagJob.outsideTaxonomy(dev.tempered.api.calibration.GenrePrediction.of(base.ref(), 1,
                base.labels(), new double[] {0.5, 0.3, 0.2}, 0), base));
    }

    @Test
    void damagedAudioIsNeverSkippedSilently() throws Exception {
        // Named as audio but unreadable: each must appear among the failures with its reason, and in the report.
        Files.writeString(lib.resolve("Misc/notes.mp3"), "These are not the songs you are looking for.\n");
        Files.write(lib.resolve("Misc/empty.mp3"), new byte[0]);
        Files.write(lib.resolve("Misc/truncated.wav"), new byte[] {'R', 'I', 'F', 'F', 0, 0});
        Files.write(lib.resolve("Misc/._d.mp3"), new byte[] {0, 5, 22, 7}); // a Mac's metadata, not a track
        Path out = tmp.resolve("report");
        TagJobSummary s = tagger().tag(request(TagPolicy.defaults(), out), TagJobListener.NONE);
        assertEquals(4, s.analysed());
        assertEquals(7, s.found(), s.failures().toString());
        assertEquals(3, s.failed(), s.failures().toString());
        for (String name : List.of("notes.mp3", "empty.mp3", "truncated.wav")) {
            Path f = lib.resolve("Misc/" + name).toRealPath();
            assertTrue(s.failures().containsKey(f), name + " missing from " + s.failures());
            assertFalse(s.failures().get(f).isBlank(), name + ": no reason");
            assertTrue(Files.readString(out.resolve("report.csv")).contains(name), name + " missing from the report");
        }
        assertEquals("These are not the songs you are looking for.\n",
                Files.readString(lib.resolve("Misc/notes.mp3")), "a file we could not tag stays as it was");
    }

    @Test
    void reportsNeverWriteThroughPlantedLinks() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("linked-report"));
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "keep me");
        // At the report's names, and at the fixed temporary name the writer used before.
        for (String name : List.of("report.csv", "report.json", ".report.csv.tmp", ".report.html.tmp")) {
            Files.createSymbolicLink(out.resolve(name), victim);
        }
        tagger().tag(request(TagPolicy.defaults(), out), TagJobListener.NONE);
        assertEquals("keep me", Files.readString(victim));
        for (String name : List.of("report.csv", "report.json", "report.html")) {
            assertTrue(Files.isRegularFile(out.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS), name);
        }
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(out.resolve("report.csv"))), "reports are readable by all");
    }

    @Test
    void aRerunStillCountsTheFilesWaitingForReview() throws Exception {
        TagPolicy strict = new TagPolicy(0.999999, TagPolicy.BelowThreshold.REVIEW, TagPolicy.ExistingGenre.REPLACE,
                false);
        TagJobSummary first = tagger().tag(request(strict, tmp.resolve("r1")), TagJobListener.NONE);
        assertTrue(first.review() > 0, "some files below the threshold: " + first);
        TagJobSummary again = tagger().tag(request(strict, tmp.resolve("r2")), TagJobListener.NONE);
        assertEquals(0, again.analysed());
        // Before: "0 for review" on the rerun while the review queue still held them.
        assertEquals(first.review(), again.review());
    }

    @Test
    void aFolderOfHeadlessRawPcmIsNotASilentZeroFound() throws Exception {
        Path raw = Files.createDirectories(tmp.resolve("raw"));
        byte[] pcm = new byte[44100 * 2];
        new java.util.Random(1).nextBytes(pcm);
        Files.write(raw.resolve("take1.pcm"), pcm);
        Files.write(raw.resolve("take2.raw"), pcm);
        TagJobSummary s = tagger().tag(new TagJobRequest(List.of(raw), null, true, TagPolicy.defaults(), 1,
                tmp.resolve("raw-report"), LabelSource.NONE, null, false), TagJobListener.NONE);
        assertEquals(0, s.found());
        // Before: no word at all; the summary said "0 found" and tag exited 0.
        assertTrue(s.warnings().get(0).startsWith("2 files are not audio Tempered can read"), s.warnings().toString());
        assertTrue(s.warnings().get(0).contains("tempered probe "), s.warnings().get(0));
    }

    @Test
    void aDryRunWritesNothingAndTheRealRunThenWritesWithoutAnalysingAgain() throws Exception {
        String before = Files.readString(lib.resolve("Rock/a.fake"));
        TagJobSummary dry = tagger().tag(request(true), TagJobListener.NONE);
        assertEquals(4, dry.analysed());
        assertEquals(0, dry.written());
        assertEquals(before, Files.readString(lib.resolve("Rock/a.fake")));
        int decodes = loader.requests.size();

        TagJobSummary real = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(0, real.analysed());
        assertEquals(4, real.written());
        assertEquals(decodes, loader.requests.size());
    }

    @Test
    void aNewTemperatureRecalibratesFromTheIndexWithoutDecoding() throws Exception {
        tagger().tag(request(true), TagJobListener.NONE);
        int decodes = loader.requests.size();
        double before = tagger().entries(List.of(lib)).get(0).confidence();
        calib.override = 5.0;
        TagJobSummary s = tagger().tag(request(true), TagJobListener.NONE);
        assertEquals(4, s.recalibrated());
        assertEquals(0, s.analysed());
        assertEquals(decodes, loader.requests.size());
        List<LibraryEntry> after = tagger().entries(List.of(lib));
        assertEquals(5.0, after.get(0).temperature(), 0);
        assertTrue(after.get(0).confidence() < before, "a hotter temperature lowers confidence");
    }

    @Test
    void aChangedFileIsAnalysedAgain() throws Exception {
        tagger().tag(request(true), TagJobListener.NONE);
        Path c = lib.resolve("Classical/c.fake");
        Files.writeString(c, "FAKEAUDIO 45,2.5");
        TagJobSummary s = tagger().tag(request(true), TagJobListener.NONE);
        assertEquals(1, s.analysed());
        assertEquals(3, s.unchanged());
        LibraryEntry e = tagger().entries(List.of(c)).get(0);
        assertEquals("rock", e.topLabel());
    }

    @Test
    void aFailedWriteIsRetriedWithoutAnalysingAgain() throws Exception {
        writer.failNext.add("b.fake");
        TagJobSummary first = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(1, first.failed());
        assertEquals(3, first.written());
        assertTrue(first.failures().values().iterator().next().contains("disk full"));
        int decodes = loader.requests.size();
        TagJobSummary again = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(0, again.failed());
        assertEquals(0, again.analysed());
        assertEquals(1, again.written());
        assertEquals(decodes, loader.requests.size());
        assertTrue(Files.readString(lib.resolve("Rock/deeper/b.fake")).contains("GENRE=Rock"));
    }

    @Test
    void aSymlinkLoopIsReportedAndEachFileCountedOnce() throws Exception {
        Files.createSymbolicLink(lib.resolve("Rock/deeper/loop"), lib.resolve("Rock"));
        Files.createSymbolicLink(lib.resolve("alias.fake"), lib.resolve("Misc/d.fake"));
        // A tag writer's temporary copy left by a killed process is audio, but not a track of the library.
        Files.copy(lib.resolve("Misc/d.fake"), lib.resolve("Misc/.d.fake.tempered-1234-0123456789ab.tmp"));
        TagJobSummary s = tagger().tag(request(true), TagJobListener.NONE);
        assertEquals(4, s.found());
        assertTrue(s.warnings().stream().anyMatch(w -> w.contains("loop")), s.warnings().toString());
    }

    @Test
    void aBrokenFileFailsAloneAndIsRecorded() throws Exception {
        Fakes.track(lib, "Rock/bad.fake", 20, -1);
        TagJobSummary s = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(5, s.found());
        assertEquals(1, s.failed());
        assertEquals(4, s.written());
        Path bad = lib.resolve("Rock/bad.fake").toRealPath();
        assertTrue(s.failures().get(bad).contains("inference"), s.failures().toString());
        assertEquals(LibraryEntry.Status.FAILED, tagger().entries(List.of(bad)).get(0).status());
    }

    @Test
    void cancellingStopsCleanlyAndTheNextRunFinishesTheRest() throws Exception {
        for (int i = 0; i < 30; i++) {
            Fakes.track(lib, "More/t" + i + ".fake", 20, i % 3);
        }
        AtomicBoolean cancel = new AtomicBoolean();
        List<LibraryEntry> done = new ArrayList<>();
        TagJobListener stopAfterTwo = new TagJobListener() {
            @Override
            public void progress(TagJobProgress p) {
            }

            @Override
            public void fileDone(LibraryEntry e) {
                done.add(e);
                if (done.size() >= 2) {
                    cancel.set(true);
                }
            }

            @Override
            public boolean isCancelled() {
                return cancel.get();
            }
        };
        TagJobRequest one = new TagJobRequest(List.of(lib), null, false, TagPolicy.defaults(), 1, null,
                LabelSource.NONE, null, false);
        TagJobSummary first = tagger().tag(one, stopAfterTwo);
        assertTrue(first.cancelled());
        assertTrue(first.analysed() < 34, "stopped early: " + first.analysed());
        // Every file is either written whole (and indexed) or untouched.
        for (LibraryEntry e : tagger().entries(List.of(lib))) {
            assertTrue(e.written(), e.file().toString());
            assertTrue(Files.readString(e.file()).contains("TEMPERED_MODEL="));
        }
        TagJobSummary rest = tagger().tag(request(false), TagJobListener.NONE);
        assertFalse(rest.cancelled());
        assertEquals(34, rest.found());
        assertEquals(34 - first.analysed(), rest.analysed());
        assertEquals(34, tagger().entries(List.of(lib)).stream().filter(LibraryEntry::written).count());
    }

    @Test
    void labelsFromFoldersAreMappedAndTheUnmappedReported() throws Exception {
        TagJobRequest r = new TagJobRequest(List.of(lib), null, true, TagPolicy.defaults(), 2, tmp.resolve("report"),
                LabelSource.FOLDERS, null, false);
        TagJobSummary s = tagger().tag(r, TagJobListener.NONE);
        assertEquals(1, s.unmappedLabels().get("Misc"));
        assertEquals(3.0, s.evaluation().get("files"));
        // a and b (level 2) are rock in Rock/, c (level 1) classical in Classical/: all right.
        assertEquals(1.0, s.evaluation().get("accuracy"));
        LabelledLogits ll = tagger().labelled(List.of(lib), null, LabelSource.FOLDERS, null, TagJobListener.NONE);
        assertEquals(3 + 1 + 2, ll.size(), "one row per window of the labelled files");
        assertEquals(Fakes.LABELS, ll.labels());
    }

    @Test
    void aMappingFileOverridesTheDefaults() throws Exception {
        Path map = tmp.resolve("map.txt");
        Files.writeString(map, "# mine\nmisc = blues\n");
        TagJobRequest r = new TagJobRequest(List.of(lib), null, true, TagPolicy.defaults(), 2, null,
                LabelSource.FOLDERS, map, false);
        TagJobSummary s = tagger().tag(r, TagJobListener.NONE);
        assertTrue(s.unmappedLabels().isEmpty(), s.unmappedLabels().toString());
        assertEquals(4.0, s.evaluation().get("files"));
    }

    @Test
    void labelsOfAnEarlierMappingDoNotStickInTheIndex() throws Exception {
        Path first = tmp.resolve("first.txt");
        Files.writeString(first, "misc = blues\n");
        tagger().tag(new TagJobRequest(List.of(lib), null, true, TagPolicy.defaults(), 2, null, LabelSource.FOLDERS,
                first, false), TagJobListener.NONE);
        assertEquals("blues", tagger().entries(List.of(lib.resolve("Misc/d.fake"))).get(0).truth());
        // A new map that no longer names Misc: d has no label now, and the evaluation counts 3 files, not 4.
        Path second = tmp.resolve("second.txt");
        Files.writeString(second, "rock = rock\n");
        TagJobSummary s = tagger().tag(new TagJobRequest(List.of(lib), null, true, TagPolicy.defaults(), 2, null,
                LabelSource.FOLDERS, second, false), TagJobListener.NONE);
        assertEquals(null, tagger().entries(List.of(lib.resolve("Misc/d.fake"))).get(0).truth());
        assertEquals(3.0, s.evaluation().get("files"), s.evaluation().toString());
        // A run without labels leaves the index's labels alone.
        tagger().tag(request(true), TagJobListener.NONE);
        assertEquals("rock", tagger().entries(List.of(lib.resolve("Rock/a.fake"))).get(0).truth());
    }

    @Test
    void reportsCoverEveryFile() throws Exception {
        Path out = tmp.resolve("report");
        TagJobRequest r = new TagJobRequest(List.of(lib), null, true, new TagPolicy(0.9, TagPolicy.BelowThreshold.REVIEW,
                TagPolicy.ExistingGenre.REPLACE, true), 2, out, LabelSource.NONE, null, false);
        TagJobSummary s = tagger().tag(r, TagJobListener.NONE);
        assertEquals(out.resolve("report.html"), s.reports().get(0));
        List<String> csv = Files.readAllLines(out.resolve("report.csv"));
        assertEquals(1 + 4, csv.size());
        assertTrue(csv.get(0).startsWith("file,status,genre,confidence"));
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<svg") && html.contains("Review queue") && html.contains("d.fake"));
        // The charts are JFreeChart drawings through JFreeSVG: well-formed SVG elements.
        java.util.regex.Matcher svg = java.util.regex.Pattern.compile("<svg[^>]*>.*?</svg>", java.util.regex.Pattern.DOTALL)
                .matcher(html);
        int charts = 0;
        while (svg.find()) {
            javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new org.xml.sax.InputSource(new java.io.StringReader(svg.group())));
            charts++;
        }
        assertTrue(charts >= 2, "charts: " + charts);
        assertTrue(html.contains("<meter"), "confidence meters");
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("report.json").toFile());
        assertEquals(4, json.path("counts").path("found").asInt());
        assertEquals(4, json.path("files").size());
        assertTrue(json.path("files").get(0).path("distribution").size() > 0, json.toString());
    }

    @Test
    void undoNeedsTheJournal() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(dev.tempered.api.TemperedException.class,
                () -> tagger().undo(List.of(lib), TagJobListener.NONE));
        assertTrue(e.getMessage().contains("journal"));
    }

    @Test
    void theIndexSurvivesAndIsReadableByPath() throws Exception {
        tagger().tag(request(true), TagJobListener.NONE);
        List<LibraryEntry> all = tagger().entries(List.of());
        assertEquals(4, all.size());
        LibraryEntry a = tagger().entries(List.of(lib.resolve("Rock/a.fake"))).get(0);
        assertNotNull(a.contentHash());
        assertEquals(64, a.contentHash().length());
        assertEquals(200, a.durationSeconds(), 1e-9);
        assertEquals(1.0, java.util.Arrays.stream(a.probabilities()).sum(), 1e-9);
    }

    TagJobRequest request(TagPolicy policy, Path report) {
        return new TagJobRequest(List.of(lib), null, false, policy, 2, report, LabelSource.NONE, null, false);
    }

    static TagPolicy replace() {
        return new TagPolicy(Double.NaN, TagPolicy.BelowThreshold.REVIEW, TagPolicy.ExistingGenre.REPLACE, false);
    }

    /** A librarian's genre already in a fake file (a tag line after the audio line). */
    static void genre(Path f, String genre) throws Exception {
        Files.writeString(f, Files.readString(f).lines().findFirst().orElseThrow() + "\nGENRE=" + genre + "\n");
    }

    static java.util.Map<String, String> tags(Path f) throws Exception {
        return new Fakes.Writer().read(f);
    }

    @Test
    void aDefaultRunKeepsEveryExistingGenreAndRecordsTheSuggestion() throws Exception {
        Path a = lib.resolve("Rock/a.fake");
        genre(a, "Hip-Hop");
        TagJobSummary s = tagger().tag(request(false), TagJobListener.NONE);
        assertEquals(0, s.failed());
        assertEquals("Hip-Hop", tags(a).get("GENRE"), "the librarian's genre is kept by default");
        assertEquals("Rock", tags(a).get("TEMPERED_GENRE"));
        assertEquals("review", tags(a).get("TEMPERED_STATUS"));
        assertEquals("Classical", tags(lib.resolve("Classical/c.fake")).get("GENRE"), "an empty genre is filled");
        LibraryEntry e = tagger().entries(List.of(a)).get(0);
        assertEquals("Hip-Hop", e.genreBefore());
        assertEquals("Hip-Hop", e.genreAfter());
        assertEquals("Rock", e.suggestion());
        assertEquals(dev.tempered.api.tag.TagPlan.Decision.REVIEW, e.decision());
        // Asked for it: REPLACE writes ours.
        genre(lib.resolve("Rock/deeper/b.fake"), "Soundtrack");
        tagger().tag(new TagJobRequest(List.of(lib.resolve("Rock/deeper")), null, false, replace(), 2, null,
                LabelSource.NONE, null, true), TagJobListener.NONE);
        assertEquals("Rock", tags(lib.resolve("Rock/deeper/b.fake")).get("GENRE"));
    }

    @Test
    void theModelsConfiguredThresholdAppliesWhenNoneIsGiven() throws Exception {
        calib.minConfidence = 1.0;
        TagJobSummary s = tagger().tag(request(TagPolicy.defaults(), null), TagJobListener.NONE);
        assertEquals(4, s.review(), "min.confidence from the model's .cfg: nothing reaches it");
        assertEquals(null, tags(lib.resolve("Classical/c.fake")).get("GENRE"));
        Fakes.track(lib, "Classical/e.fake", 45, 1);
        TagJobSummary given = tagger().tag(request(TagPolicy.defaults().withMinConfidence(0.5), null),
                TagJobListener.NONE);
        assertEquals(1, given.analysed());
        assertEquals("Classical", tags(lib.resolve("Classical/e.fake")).get("GENRE"), "a given threshold wins");
    }

    @Test
    void reviewListAcceptRejectClear() throws Exception {
        Path a = lib.resolve("Rock/a.fake");
        Path b = lib.resolve("Rock/deeper/b.fake");
        genre(a, "Hip-Hop");
        genre(b, "Soundtrack");
        CollectionTaggerComponent t = tagger();
        t.tag(request(false), TagJobListener.NONE);
        List<dev.tempered.api.library.ReviewQueue.Item> queue = t.list(List.of(lib));
        List<String> paths = queue.stream().map(dev.tempered.api.library.ReviewQueue.Item::relativePath).toList();
        assertTrue(paths.containsAll(List.of("Rock/a.fake", "Rock/deeper/b.fake")), paths.toString());
        var itemA = queue.stream().filter(i -> i.relativePath().equals("Rock/a.fake")).findFirst().orElseThrow();
        assertEquals("Hip-Hop", itemA.genre());
        assertEquals("Rock", itemA.suggestion());
        assertTrue(itemA.confidence() > 0.5);
        assertEquals("deeper/b.fake", t.list(List.of(lib.resolve("Rock"))).stream()
                .filter(i -> i.file().endsWith("b.fake")).findFirst().orElseThrow().relativePath());

        List<dev.tempered.api.tag.TagResult> accepted = t.accept(List.of(a));
        assertEquals(1, accepted.size());
        assertTrue(accepted.get(0).written(), accepted.get(0).message());
        assertEquals("Rock", tags(a).get("GENRE"));
        assertFalse(tags(a).containsKey("TEMPERED_STATUS"));
        assertTrue(t.list(List.of(lib)).stream().noneMatch(i -> i.file().endsWith("a.fake")));

        assertTrue(t.reject(List.of(b)).get(0).written());
        assertEquals("rejected", tags(b).get("TEMPERED_STATUS"));
        assertEquals("Soundtrack", tags(b).get("GENRE"));
        String rejected = Files.readString(b);
        t.tag(new TagJobRequest(List.of(lib), null, false, replace(), 2, null, LabelSource.NONE, null, true),
                TagJobListener.NONE);
        assertEquals(rejected, Files.readString(b), "a rejected file is left alone, even by REPLACE");
        assertTrue(t.list(List.of(lib)).stream().noneMatch(i -> i.file().endsWith("b.fake")));
        // The index follows each decision, so a rerun does not analyse the touched files again.
        int decodes = loader.requests.size();
        t.tag(request(false), TagJobListener.NONE);
        assertEquals(decodes, loader.requests.size());

        List<dev.tempered.api.tag.TagResult> cleared = t.clear(List.of(lib));
        assertEquals(4, cleared.size());
        for (Path f : List.of(a, b, lib.resolve("Classical/c.fake"))) {
            assertTrue(tags(f).keySet().stream().noneMatch(k -> k.startsWith("TEMPERED_")), tags(f).toString());
        }
        assertEquals("Soundtrack", tags(b).get("GENRE"), "clear removes only Tempered's fields");
    }

    @Test
    void reportsShowPathsRelativeToTheRootAndOldAndNewGenre() throws Exception {
        Fakes.track(lib, "Album A/01.fake", 30, 2);
        Fakes.track(lib, "Album B/01.fake", 30, 1);
        genre(lib.resolve("Album B/01.fake"), "Romantic Classical");
        genre(lib.resolve("Rock/a.fake"), "Hip-Hop");
        Path out = tmp.resolve("report");
        tagger().tag(request(replace(), out), TagJobListener.NONE);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Album A/01.fake") && html.contains("Album B/01.fake"), "relative paths");
        assertFalse(html.contains(lib.toString() + "/Album A"), "no absolute paths in the tables");
        assertTrue(html.contains("Hip-Hop &rarr; <b>Rock</b>"), "old -> new genre");
        List<String> csv = Files.readAllLines(out.resolve("report.csv"));
        assertTrue(csv.get(0).contains(",path,genre_before,genre_after,suggestion"), csv.get(0));
        assertTrue(csv.stream().anyMatch(l -> l.contains(",Album B/01.fake,Romantic Classical,Classical,Classical")),
                String.join("\n", csv));
    }
}
