package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.tag.TagPolicy;
import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills writer processes (SIGKILL) at random moments while they tag files in every format, then checks that each
 * file is byte for byte either the original or the planned result, and that leftovers are recognised and removed.
 * System properties: {@code tempered.crash.kills} (default 200), {@code tempered.crash.workers} (parallel writer
 * processes, each on its own directory, default 3), {@code tempered.crash.seed}.
 */
class CrashTest {
    private static final FileTime MTIME = FileTime.from(Instant.parse("2020-01-02T03:04:05Z"));

    @TempDir
    Path tmp;

    private final Map<String, String> original = new LinkedHashMap<>();
    private final Map<String, String> result = new LinkedHashMap<>();
    private final AtomicInteger kills = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    private final AtomicInteger runs = new AtomicInteger();
    private final AtomicInteger originalSeen = new AtomicInteger();
    private final AtomicInteger writtenSeen = new AtomicInteger();
    private final AtomicInteger removed = new AtomicInteger();
    private Path pristine;
    private Path cds;
    private String classPath;

    @Test
    void everyFileIsEitherOriginalOrResultAfterKills() throws Exception {
        int target = Integer.getInteger("tempered.crash.kills", 200);
        int workers = Integer.getInteger("tempered.crash.workers", 3);
        long seed = Long.getLong("tempered.crash.seed", 42);
        classPath = privateClassPath(tmp.resolve("cp"));
        pristine = Files.createDirectories(tmp.resolve("pristine"));
        Path expectedDir = Files.createDirectories(tmp.resolve("expected"));
        TagWriterImpl w = new TagWriterImpl(tmp.resolve("journal-expected"), true, SafeReplace.NONE);
        for (String name : Fixtures.FILES.keySet()) {
            Path p = Fixtures.copy(name, pristine);
            Files.setLastModifiedTime(p, MTIME);
            original.put(name, Fixtures.sha256(p));
            Path e = expectedDir.resolve(name);
            Files.copy(p, e, StandardCopyOption.COPY_ATTRIBUTES);
            assertTrue(w.apply(w.plan(e, Fixtures.prediction(0.9), TagPolicy.defaults())).written());
            result.put(name, Fixtures.sha256(e));
        }
        // One run to completion: it measures how long the writes take and records a class-data archive that
        // makes the later writer processes start faster. Its output must also be exactly the expected result.
        Path warm = fresh("warm");
        cds = tmp.resolve("writer.jsa");
        Process p = start(warm, "-XX:ArchiveClassesAtExit=" + cds);
        BufferedReader out = reader(p);
        assertEquals("go", out.readLine());
        long go = System.nanoTime();
        assertEquals("done", out.readLine());
        long window = Math.max(50, (System.nanoTime() - go) / 1_000_000);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        for (String name : Fixtures.FILES.keySet()) {
            assertEquals(result.get(name), Fixtures.sha256(warm.resolve(name)), name + ": the writer process "
                    + "produced other bytes than the in-process write");
        }
        if (!Files.exists(cds)) {
            cds = null;
        }

        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<?>> jobs = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Path dir = fresh("work" + i);
            Random random = new Random(seed + i);
            long win = window * Math.max(1, workers - 1);
            jobs.add(pool.submit(() -> {
                while (kills.get() < target) {
                    cycle(dir, random, win, w);
                }
                return null;
            }));
        }
        for (Future<?> j : jobs) {
            j.get();
        }
        pool.shutdown();
        System.out.printf("crash test: %d SIGKILLs in %d writer runs (%d workers; %d kills left a temporary file, i.e."
                + " hit a write in progress), %d leftovers removed by name, file states seen: %d original, %d "
                + "written, 0 damaged, %.1f s%n", kills.get(), runs.get(), workers, interrupted.get(), removed.get(),
                originalSeen.get(), writtenSeen.get(), (System.nanoTime() - start) / 1e9);
        assertTrue(kills.get() >= target);
    }

    private Path fresh(String name) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(name));
        for (String f : Fixtures.FILES.keySet()) {
            Files.copy(pristine.resolve(f), d.resolve(f), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return d;
    }

    private Process start(Path dir, String... jvm) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xmx256m", "-Xshare:auto"));
        cmd.addAll(List.of(jvm));
        cmd.addAll(List.of("-cp", classPath, CrashWriterMain.class.getName(),
                dir.toString(), dir.resolveSibling(dir.getFileName() + "-journal").toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /**
     * The class path with its directories copied: a build of this module elsewhere (a shared working tree)
     * must not swap the writer's classes in the middle of the test.
     */
    private static String privateClassPath(Path into) throws IOException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path src = Path.of(e);
            if (Files.isDirectory(src)) {
                Path dst = into.resolve("d" + i++);
                try (Stream<Path> s = Files.walk(src)) {
                    for (Path p : (Iterable<Path>) s::iterator) {
                        Path t = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(t);
                        } else {
                            Files.copy(p, t);
                        }
                    }
                }
                out.add(dst.toString());
            } else {
                out.add(e);
            }
        }
        return String.join(java.io.File.pathSeparator, out);
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private void cycle(Path dir, Random random, long window, TagWriterImpl w) throws Exception {
        runs.incrementAndGet();
        Process p = cds == null ? start(dir) : start(dir, "-XX:SharedArchiveFile=" + cds);
        BufferedReader out = reader(p);
        // The child may log first (a torn journal line a kill left is a warning, on the same stream): its "go"
        // line says it is about to write.
        StringBuilder before = new StringBuilder();
        String line = out.readLine();
        while (line != null && !"go".equals(line) && line.startsWith("[")) {
            before.append(line).append('\n');
            line = out.readLine();
        }
        if (!"go".equals(line)) {
            p.destroyForcibly();
            throw new AssertionError("writer process did not start: " + before + line);
        }
        boolean finished = p.waitFor((long) (random.nextDouble() * window), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.destroyForcibly();
            p.waitFor();
            kills.incrementAndGet();
        } else {
            for (String l = out.readLine(); l != null; l = out.readLine()) {
                if (l.startsWith("error")) {
                    throw new AssertionError("writer reported " + l);
                }
            }
        }
        boolean leftover;
        try (Stream<Path> s = Files.list(dir)) {
            leftover = s.anyMatch(f -> SafeReplace.LEFTOVER.matcher(f.getFileName().toString()).matches());
        }
        if (!finished && leftover) {
            interrupted.incrementAndGet();
        }
        for (String name : Fixtures.FILES.keySet()) {
            Path f = dir.resolve(name);
            String sha = Fixtures.sha256(f);
            if (sha.equals(original.get(name))) {
                originalSeen.incrementAndGet();
            } else if (sha.equals(result.get(name))) {
                writtenSeen.incrementAndGet();
                // Put the original back now and then, so later runs have writes to interrupt.
                if (random.nextBoolean()) {
                    Files.copy(pristine.resolve(name), f, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.COPY_ATTRIBUTES);
                }
            } else {
                throw new AssertionError(name + " is neither the original nor the planned result after a kill");
            }
        }
        // Usually the next writer cleans up before it writes; here we clean up ourselves and check that nothing
        // but the audio files remains.
        if (random.nextInt(4) == 0 || kills.get() >= Integer.getInteger("tempered.crash.kills", 200)) {
            removed.addAndGet(w.cleanLeftovers(dir).size());
            try (Stream<Path> s = Files.list(dir)) {
                assertEquals(Fixtures.FILES.size(), s.count(), "leftovers remain after cleanup in " + dir);
            }
        }
    }
}
