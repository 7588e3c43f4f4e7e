package dev.tempered.features.internal;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Times the 57 descriptors of the 30 s fixture (and ffmpeg's decode of it for scale); a benchmark command,
 * not a test: run with -Dtempered.bench=true (see docs/benchmarks/features.md).
 */
@EnabledIfSystemProperty(named = "tempered.bench", matches = "true")
class FeaturesBenchmark {
    @Test
    void thirtySecondClip() throws Exception {
        int warmup = Integer.getInteger("tempered.bench.warmup", 10);
        int runs = Integer.getInteger("tempered.bench.runs", 20);
        long t0 = System.nanoTime();
        float[] y = GtzanFixture.clip();
        double decodeMs = (System.nanoTime() - t0) / 1e6;
        LibrosaDescriptors d = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true);
        if (Boolean.getBoolean("tempered.bench.coldStages")) {
            System.out.println("stages, each run once in a fresh JVM (interpreter + JIT):");
            StageTimer.print(d, y, 1);
        }
        long c0 = System.nanoTime();
        d.compute(y);
        double coldMs = (System.nanoTime() - c0) / 1e6;
        for (int i = 0; i < warmup; i++) {
            d.compute(y);
        }
        double[] ms = new double[runs];
        double[] cpu = new double[runs];
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < runs; i++) {
            long c = threads.getCurrentThreadCpuTime();
            long s = System.nanoTime();
            d.compute(y);
            ms[i] = (System.nanoTime() - s) / 1e6;
            cpu[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf("machine: %d processors, load average %.2f, %s %s%n",
                Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("clip: %d samples (%.2f s) at 22050 Hz; ffmpeg decode of the 30 s mp3 (process start"
                + " included): %.1f ms%n", y.length, y.length / 22050.0, decodeMs);
        System.out.printf("descriptors, first call (cold JIT): %.1f ms%n", coldMs);
        System.out.printf("descriptors, one thread, %d warm runs after %d warm-up: wall min %.1f ms, median %.1f ms,"
                + " max %.1f ms; CPU of the thread min %.1f ms, median %.1f ms%n", runs, warmup, ms[0],
                ms[runs / 2], ms[runs - 1], cpu[0], cpu[runs / 2]);
        // The same with HPSS spread over the common pool: wall time, and the CPU of the whole process.
        LibrosaDescriptors p = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true, true);
        var os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int i = 0; i < warmup; i++) {
            p.compute(y);
        }
        for (int i = 0; i < runs; i++) {
            long c = os.getProcessCpuTime();
            long s = System.nanoTime();
            p.compute(y);
            ms[i] = (System.nanoTime() - s) / 1e6;
            cpu[i] = (os.getProcessCpuTime() - c) / 1e6;
        }
        Arrays.sort(ms);
        Arrays.sort(cpu);
        System.out.printf("descriptors, parallel HPSS (pool parallelism %d): wall min %.1f ms, median %.1f ms;"
                + " process CPU median %.1f ms%n", java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
                ms[0], ms[runs / 2], cpu[runs / 2]);
        StageTimer.print(d, y);
    }
}
