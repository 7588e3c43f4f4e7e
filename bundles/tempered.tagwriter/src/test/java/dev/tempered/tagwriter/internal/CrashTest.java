package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tempered.api.tag.TagPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a writer process (SIGKILL) at random moments while it tags files in every format, then checks that each
 * file is byte for byte either the original or the planned result, and that leftovers are recognised and removed.
 * The number of kills comes from the system property {@code tempered.crash.kills} (default 200).
 */
class CrashTest {
    private static final FileTime MTIME = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));

    @TempDir
    Path tmp;

    @Test
    void everyFileIsEitherOriginalOrResultAfterKills() throws Exception {
        int kills = Integer.getInteger("tempered.crash.kills", 200);
        Path pristine = Files.createDirectories(tmp.resolve("pristine"));
        Path expectedDir = Files.createDirectories(tmp.resolve("expected"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Map<String, String> original = new LinkedHashMap<>();
        Map<String, String> result = new LinkedHashMap<>();
        TagWriterImpl w = new TagWriterImpl(tmp.resolve("journal-expected"), true, SafeReplace.NONE);
        for (String name : Fixtures.FILES.keySet()) {
            Path p = Fixtures.copy(name, pristine);
            Files.setLastModifiedTime(p, MTIME);
            original.put(name, Fixtures.sha256(p));
            Path e = expectedDir.resolve(name);
            Files.copy(p, e, StandardCopyOption.COPY_ATTRIBUTES);
            assertTrue(w.apply(w.plan(e, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
            result.put(name, Fixtures.sha256(e));
            // Deterministic: a second copy tagged the same way gives the same bytes.
            Files.copy(p, work.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
        }

        Random random = new Random(Long.getLong("tempered.crash.seed", 42));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long window = 2_000; // ms from "go" to "done", updated from runs that finished
        int made = 0;
        int interrupted = 0;
        int cycles = 0;
        int originalSeen = 0;
        int writtenSeen = 0;
        int leftoversRemoved = 0;
        long start = System.nanoTime();
        while (made < kills) {
            cycles++;
            Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                    System.getProperty("java.class.path"), CrashWriterMain.class.getName(), work.toString(),
                    tmp.resolve("journal").toString()).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"go".equals(line)) {
                p.destroyForcibly();
                fail("writer process did not start: " + line);
            }
            long go = System.nanoTime();
            long delay = (long) (random.nextDouble() * window);
            boolean finished = p.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!finished) {
                p.destroyForcibly();
                p.waitFor();
                made++;
            } else {
                window = Math.max(50, (System.nanoTime() - go) / 1_000_000);
            }
            for (String l = out.readLine(); l != null; l = out.readLine()) {
                if (l.startsWith("error")) {
                    fail("writer reported " + l);
                }
            }
            // The next writer's first step is the cleanup; here we count what the kill left.
            List<Path> leftovers = new ArrayList<>();
            try (Stream<Path> s = Files.list(work)) {
                s.filter(f -> SafeReplace.LEFTOVER.matcher(f.getFileName().toString()).matches())
                        .forEach(leftovers::add);
            }
            if (!finished && !leftovers.isEmpty()) {
                interrupted++;
            }
            for (String name : Fixtures.FILES.keySet()) {
                Path f = work.resolve(name);
                String sha = Fixtures.sha256(f);
                if (sha.equals(original.get(name))) {
                    originalSeen++;
                } else if (sha.equals(result.get(name))) {
                    writtenSeen++;
                    // Put the original back for the next round, so every round has writes to interrupt.
                    if (random.nextBoolean()) {
                        Files.copy(pristine.resolve(name), f, StandardCopyOption.REPLACE_EXISTING,
                                StandardCopyOption.COPY_ATTRIBUTES);
                    }
                } else {
                    fail(name + " is neither the original nor the planned result after kill " + made);
                }
            }
            if (cycles % 10 == 0) {
                leftoversRemoved += w.cleanLeftovers(work).size();
            }
        }
        leftoversRemoved += w.cleanLeftovers(work).size();
        try (Stream<Path> s = Files.list(work)) {
            assertEquals(Fixtures.FILES.size(), s.count(), "leftovers remain after cleanup");
        }
        System.out.printf("crash test: %d SIGKILLs in %d runs (%d left a temporary file, i.e. hit a write in "
                + "progress), %d leftovers removed by name, file states seen: %d original, %d written, 0 damaged,"
                + " %.1f s%n", made, cycles, interrupted, leftoversRemoved, originalSeen, writtenSeen,
                (System.nanoTime() - start) / 1e9);
        assertTrue(made >= kills);
    }
}
