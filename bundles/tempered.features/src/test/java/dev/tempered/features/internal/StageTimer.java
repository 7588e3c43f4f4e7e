package dev.tempered.features.internal;

/** Times the costly stages one by one, to see where a 30 s clip's time goes. */
final class StageTimer {
    private StageTimer() {
    }

    static void print(LibrosaDescriptors d, float[] y) {
        print(d, y, 10);
    }

    static void print(LibrosaDescriptors d, float[] y, int reps) {
        Stft stft = null;
        long t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            stft = Stft.compute(y, 2048, 512, Padding.REFLECT);
        }
        report("STFT (1293 frames of 2048)", t, reps);
        float[] mag = stft.magnitude();
        float[] pow = new float[mag.length];
        for (int i = 0; i < mag.length; i++) {
            pow[i] = mag[i] * mag[i];
        }
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            Tuning.estimate(pow, stft.frames, stft.bins, 22050, 2048);
        }
        report("tuning estimate (piptrack)", t, reps);
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            Hpss.separate(stft, mag, y.length, true);
        }
        report("HPSS (medians, masks, 2 inverse STFTs)", t, reps);
        MedianFilter median = new MedianFilter(31);
        float[] out = new float[mag.length];
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            for (int f = 0; f < stft.frames; f++) {
                median.filter(mag, out, f * stft.bins, 1, stft.bins);
            }
        }
        report("  31-wide medians across frequency", t, reps);
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            float[] byBin = Hpss.transpose(mag, stft.frames, stft.bins);
            for (int k = 0; k < stft.bins; k++) {
                median.filter(byBin, out, k * stft.frames, 1, stft.frames);
            }
            Hpss.transpose(out, stft.bins, stft.frames);
        }
        report("  31-wide medians across time (transposed)", t, reps);
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            Stft.inverse(new float[][] {stft.re}, new float[][] {stft.im}, stft.frames, 2048, 512, y.length, true);
        }
        report("  one inverse STFT", t, reps);
        double[] logMel = null;
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            logMel = d.logMel(pow, stft.frames, stft.bins);
        }
        report("log-mel (128 Slaney filters, dB)", t, reps);
        t = System.nanoTime();
        cpuStart = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < reps; i++) {
            double[] onset = Tempo.onsetStrength(logMel, stft.frames, 128, 2048, 512);
            Tempo.fromTempogram(Tempo.meanTempogram(onset, 344), 22050, 512);
        }
        report("onset strength + tempogram + tempo", t, reps);
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();
    private static long cpuStart = THREADS.getCurrentThreadCpuTime();

    private static void report(String what, long start, int reps) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        System.out.printf("  %-42s %7.1f ms wall %7.1f ms CPU%n", what, (System.nanoTime() - start) / 1e6 / reps,
                (cpu - cpuStart) / 1e6 / reps);
        cpuStart = THREADS.getCurrentThreadCpuTime();
    }
}
