package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.TagPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kills a job's process (SIGKILL, or SIGTERM as Ctrl-C) mid-run; the next run must complete from a consistent index. */
class CrashSafetyTest {
    static final int FILES = 60;

    @TempDir
    Path tmp;

    @Test
    void aKilledJobIsCompletedByTheNextRunAndTheIndexIsConsistent() throws Exception {
        Path lib = tmp.resolve("lib");
        Path indexDir = tmp.resolve("index");
        for (int i = 0; i < FILES; i++) {
            Fakes.track(lib, "d" + (i % 4) + "/t" + i + ".fake", 20, i % 3);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), lib.toString(), indexDir.toString()).redirectErrorStream(true).start();
        int done = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                assertTrue(!line.equals("FINISHED"), "the child finished before it was killed");
                if (line.startsWith("DONE ") && ++done == 8) {
                    // SIGKILL: no shutdown hook, no finally block, no H2 close.
                    child.destroyForcibly();
                    break;
                }
            }
        }
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        assertEquals(8, done, "the child should have reported 8 files before being killed");

        Fakes.Model model = new Fakes.Model(Fakes.SPEC);
        CollectionTaggerComponent t = new CollectionTaggerComponent(new Fakes.Repository(model), new Fakes.Loader(),
                new Fakes.Calib(), indexDir);
        t.addFrontEnd(new Fakes.Front());
        t.setWriter(new Fakes.Writer());
        TagJobRequest req = new TagJobRequest(List.of(lib), null, false, TagPolicy.defaults(), 2, null,
                LabelSource.NONE, null, false);
        TagJobSummary s = t.tag(req, TagJobListener.NONE);
        assertEquals(FILES, s.found());
        assertEquals(0, s.failed());
        assertTrue(s.analysed() <= FILES - 8, "at least the 8 committed files are not analysed again: " + s.analysed());
        assertEquals(FILES, s.analysed() + s.unchanged());

        List<LibraryEntry> entries = t.entries(List.of(lib));
        assertEquals(FILES, entries.size());
        for (LibraryEntry e : entries) {
            String content = Files.readString(e.file());
            assertTrue(e.written() && content.contains("TEMPERED_MODEL="), e.file() + " indexed as written: " + content);
            assertEquals(Files.size(e.file()), e.size(), "the index knows the file as it is now");
            assertEquals(ContentHash.of(e.file()), e.contentHash());
        }
        try (Stream<Path> files = Files.walk(lib)) {
            assertEquals(0, files.filter(p -> p.toString().endsWith(".tmp")).count(), "no half-written leftovers");
        }
        TagJobSummary third = t.tag(req, TagJobListener.NONE);
        assertEquals(0, third.analysed());
        assertEquals(0, third.written());
        assertEquals(FILES, third.unchanged());
    }

    @Test
    void aJobStoppedBySigtermIndexesWhatItWroteAndTheNextRunGoesOnFromThere() throws Exception {
        Path lib = tmp.resolve("lib");
        Path indexDir = tmp.resolve("index");
        for (int i = 0; i < FILES; i++) {
            Fakes.track(lib, "d" + (i % 4) + "/t" + i + ".fake", 20, i % 3);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), lib.toString(), indexDir.toString(), "stop-hook")
                .redirectErrorStream(true).start();
        int done = 0;
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                log.append(line).append('\n');
                if (line.startsWith("DONE ") && ++done == 8) {
                    // SIGTERM, what Ctrl-C and a service manager send: the shutdown hooks run.
                    child.toHandle().destroy();   // Process.destroy() would also close our end of its output
                }
            }
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        assertTrue(done >= 8 && done < FILES, "stopped early after 8 files: " + done + "\n" + log);
        assertTrue(!log.toString().contains("already closed"), log.toString());

        Fakes.Model model = new Fakes.Model(Fakes.SPEC);
        CollectionTaggerComponent t = new CollectionTaggerComponent(new Fakes.Repository(model), new Fakes.Loader(),
                new Fakes.Calib(), indexDir);
        t.addFrontEnd(new Fakes.Front());
        t.setWriter(new Fakes.Writer());
        TagJobSummary s = t.tag(new TagJobRequest(List.of(lib), null, false, TagPolicy.defaults(), 2, null,
                LabelSource.NONE, null, false), TagJobListener.NONE);
        assertEquals(0, s.failed());
        assertEquals(FILES - done, s.analysed(), "every file the stopped run reported is indexed and left alone");
        assertEquals(done, s.unchanged());
    }
}
