package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelLease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Several threads run inference while the active model swaps 100 times between two packages: no request
 * fails, every result matches exactly the model it names (and not the other), and resident memory after
 * the swaps stays within 10% of before (ONNX Runtime users report growth across reloads).
 */
class HotSwapStressTest {
    private static final int THREADS = 4;
    private static final int SWAPS = Integer.getInteger("tempered.swaps", 100);

    @Test
    void hundredSwapsUnderLoad() throws Exception {
        DefaultModelRepository repo = new DefaultModelRepository(new RunnerOptions(1, false, 1024, true), r -> { });
        try {
            repo.install(TestPackages.resource("tiny-1"));
            repo.install(TestPackages.resource("tiny-2"));
            ModelRef a = new ModelRef("tiny", "1.0.0");
            ModelRef b = new ModelRef("tiny", "2.0.0");
            float[][] x = TestPackages.rows(16, 8, 11);
            Map<ModelRef, float[]> expected = Map.of(a, reference(repo, a, x), b, reference(repo, b, x));
            assertFalse(Arrays.equals(expected.get(a), expected.get(b)), "the two test models must differ");

            swapUnderLoad(repo, x, expected, a, b, 20); // warm-up: JIT, allocator arenas, ORT's first-use costs
            long before = rssKiB();
            Result r = swapUnderLoad(repo, x, expected, a, b, SWAPS);
            System.gc();
            long after = rssKiB();
            System.out.printf("hot swap: %d swaps, %d requests (%s), 0 failures; VmRSS before %d KiB, after %d KiB"
                    + " (%+.1f%%)%n", SWAPS, r.requests(), r.perModel(), before, after, 100.0 * (after - before) / before);
            assertTrue(r.failures().isEmpty(), () -> "failed requests: " + r.failures());
            assertEquals(2, r.perModel().size(), "both models served: " + r.perModel());
            assertTrue(r.requests() > SWAPS, "requests ran during the swaps: " + r.requests());
            assertTrue(after <= before * 1.10, "VmRSS grew from " + before + " to " + after + " KiB");
        } finally {
            repo.close();
        }
    }

    private record Result(long requests, Map<ModelRef, Long> perModel, List<String> failures) {
    }

    private static Result swapUnderLoad(DefaultModelRepository repo, float[][] x, Map<ModelRef, float[]> expected,
            ModelRef a, ModelRef b, int swaps) throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong requests = new AtomicLong();
        Map<ModelRef, Long> perModel = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try (ModelLease lease = repo.lease("genre")) {
                        EnsembleOutput out = lease.model().run(x);
                        ModelRef claimed = out.model();
                        ModelRef other = claimed.equals(a) ? b : a;
                        if (!expected.containsKey(claimed)) {
                            failures.add("unknown model " + claimed);
                        } else if (!Arrays.equals(expected.get(claimed), out.logits())) {
                            failures.add("logits do not match " + claimed);
                        } else if (Arrays.equals(expected.get(other), out.logits())) {
                            failures.add("logits match both models");
                        }
                        perModel.merge(claimed, 1L, Long::sum);
                        requests.incrementAndGet();
                    } catch (Exception | Error e) {
                        failures.add(e.toString());
                    }
                }
            }, "inference-" + t);
            th.start();
            threads.add(th);
        }
        try {
            for (int i = 0; i < swaps; i++) {
                ModelRef next = i % 2 == 0 ? a : b;
                repo.activate(next.id(), next.version());
                if (!repo.active("genre").orElseThrow().ref().equals(next)) {
                    failures.add("swap " + i + " did not activate " + next);
                }
                Thread.sleep(2);
            }
        } catch (Exception e) {
            failures.add("swap failed: " + e);
        } finally {
            stop.set(true);
            for (Thread th : threads) {
                th.join();
            }
        }
        return new Result(requests.get(), Map.copyOf(perModel), List.copyOf(failures));
    }

    private static float[] reference(DefaultModelRepository repo, ModelRef ref, float[][] x) throws Exception {
        try (ModelLease l = repo.lease(ref.id(), ref.version())) {
            return l.model().run(x).logits();
        }
    }

    /** Resident set size of this JVM, from Linux's /proc/self/status. */
    static long rssKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }
}
