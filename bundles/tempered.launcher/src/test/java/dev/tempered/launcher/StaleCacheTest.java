package dev.tempered.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Felix caches of killed runs (about 35 MB each) are removed at the next start; a live run's never is. The live
 * run is a real second JVM holding its lock. Every child process is bounded: its stdin is /dev/null (an earlier
 * version of this test hung on a child that inherited the test's stdin) and every wait has a timeout.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class StaleCacheTest {
    @TempDir
    Path cache;

    private static final FileTime OLD = FileTime.from(Instant.now().minus(Duration.ofHours(1)));

    private Path cacheDir(String name, boolean withLock) throws Exception {
        Path d = Files.createDirectories(cache.resolve(name).resolve("bundle1"));
        Files.writeString(d.resolve("bundle.jar"), "x".repeat(1000));
        Path dir = d.getParent();
        if (withLock) {
            Files.createFile(EmbeddedFramework.lockFile(dir));
            Files.setLastModifiedTime(EmbeddedFramework.lockFile(dir), OLD);
        }
        Files.setLastModifiedTime(dir, OLD);
        return dir;
    }

    @Test
    void aKilledRunsCacheIsRemovedALiveOnesIsKept() throws Exception {
        Path dead = cacheDir("felix-111", true);
        Path legacy = cacheDir("felix-222", false);
        Path heldHere = cacheDir("felix-333", true);
        Path heldByAnotherJvm = cacheDir("felix-444", true);
        Path young = Files.createDirectories(cache.resolve("felix-555"));
        Path notOurs = cacheDir("other-666", false);

        Process holder = holdLock(EmbeddedFramework.lockFile(heldByAnotherJvm));
        try (FileChannel mine = EmbeddedFramework.lockStorage(heldHere)) {
            ByteArrayOutputStream said = new ByteArrayOutputStream();
            int removed = EmbeddedFramework.removeStaleCaches(cache, Duration.ofMinutes(2),
                    new PrintStream(said, true, StandardCharsets.UTF_8));
            assertEquals(2, removed);
            assertFalse(Files.exists(dead), "its lock file is held by no process");
            assertFalse(Files.exists(EmbeddedFramework.lockFile(dead)));
            assertFalse(Files.exists(legacy), "old and never locked (made before the lock existed)");
            assertTrue(Files.exists(heldHere.resolve("bundle1/bundle.jar")), "this JVM holds its lock");
            assertTrue(Files.exists(heldByAnotherJvm.resolve("bundle1/bundle.jar")), "a live process holds its lock");
            assertTrue(Files.exists(young), "a run that is starting has not locked it yet");
            assertTrue(Files.exists(notOurs));
            assertTrue(said.toString(StandardCharsets.UTF_8).contains("removed 2 cache folders"), said.toString());
        } finally {
            holder.destroyForcibly();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS), "the lock holder did not exit");
        }
        // Both owners are gone now (the other JVM killed, our channel closed): the next start removes them.
        assertEquals(2, EmbeddedFramework.removeStaleCaches(cache, Duration.ofMinutes(2), null));
        assertFalse(Files.exists(heldByAnotherJvm));
        assertFalse(Files.exists(heldHere));
        assertTrue(Files.exists(young));
    }

    /** Starts a JVM that locks the file as a running Tempered does, and waits until it says so. */
    private Process holdLock(Path lock) throws Exception {
        Path src = cache.getParent().resolve("Holder-" + ProcessHandle.current().pid() + ".java");
        Files.writeString(src, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE);
                        if (ch.tryLock() == null) { System.exit(3); }
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(60_000); // killed by the test long before
                    }
                }
                """);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, src.toString(), lock.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            } catch (java.io.IOException e) {
                return null;
            }
        });
        try {
            assertEquals("locked", line.get(60, TimeUnit.SECONDS), "the lock holder did not start");
        } catch (Exception | AssertionError e) {
            p.destroyForcibly();
            throw e;
        }
        return p;
    }
}
