package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TagJobWorkersTest {
    @Test
    void aFrontEndsParallelStreamStaysOnTheJobsOwnThreads() throws Exception {
        ExecutorService pool = TagJob.workers(2);
        Set<String> threads = ConcurrentHashMap.newKeySet();
        try {
            // What LibrosaFrontEnd does with a track's windows, inside a job worker.
            pool.submit(() -> IntStream.range(0, 64).parallel().forEach(i -> {
                threads.add(Thread.currentThread().getName());
                long x = 0;
                for (int k = 0; k < 200_000; k++) {
                    x += k ^ i;
                }
                assertTrue(x != 42);
            })).get();
        } finally {
            pool.shutdownNow();
        }
        assertTrue(threads.stream().allMatch(t -> t.startsWith("tempered-prepare-")), threads.toString());
        assertTrue(threads.size() <= 2, threads.toString());
        assertEquals(0, threads.stream().filter(t -> t.contains("commonPool")).count());
    }
}
