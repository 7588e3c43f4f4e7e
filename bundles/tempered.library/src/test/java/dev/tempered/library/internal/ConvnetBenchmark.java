package dev.tempered.library.internal;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tempered.inference.internal.OnnxEnsembleModel;
import dev.tempered.inference.internal.RunnerOptions;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The convnet package's cost per 29 s window: five heads against one on the same backbone, and the share of
 * the log-mel front end inside the graph. Not a test: runs only with {@code -Dtempered.bench.convnet=DIR}, where
 * DIR holds what {@code models/convnet/train_convnet.py --bench-dir DIR} writes. Prints a Markdown table and
 * writes it to target/benchmarks/convnet.md.
 */
@EnabledIfSystemProperty(named = "tempered.bench.convnet", matches = ".+")
class ConvnetBenchmark {
    private static final int ROUNDS = 5;
    private static final int WINDOWS = 24;

    @Test
    void run() throws Exception {
        Path bench = Path.of(System.getProperty("tempered.bench.convnet"));
        float[][] rows = new float[WINDOWS][348_000];
        Random random = new Random(1);
        for (float[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (0.1 * random.nextGaussian());
            }
        }
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "Machine: %d processors, %s %s, ONNX Runtime %s; %d windows of 29 s per round, best of %d rounds%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), OrtEnvironment.getEnvironment().getVersion(), WINDOWS, ROUNDS));
        md.append("| graph | intra-op threads | batch | ms per window | vs one head |\n|---|---|---|---|---|\n");
        for (int threads : new int[] {1, 2}) {
            for (int batch : new int[] {1, 8}) {
                RunnerOptions options = new RunnerOptions(threads, false, batch, true);
                OnnxEnsembleModel five = OnnxEnsembleModel.open(RepoFiles.path("models", "choi-gtzan"), options);
                OnnxEnsembleModel one = OnnxEnsembleModel.open(bench.resolve("choi-1head"), options);
                double msOne = Double.MAX_VALUE;
                double msFive = Double.MAX_VALUE;
                // Sessions stay open to the end of this short-lived benchmark JVM.
                for (int round = 0; round < ROUNDS; round++) {
                    msOne = Math.min(msOne, msPerWindow(one, rows, batch));
                    msFive = Math.min(msFive, msPerWindow(five, rows, batch));
                }
                md.append(String.format(Locale.ROOT, "| backbone + 1 head | %d | %d | %.1f | 1.00 |%n", threads, batch,
                        msOne));
                md.append(String.format(Locale.ROOT, "| backbone + 5 heads (choi-gtzan) | %d | %d | %.1f | %.3f |%n",
                        threads, batch, msFive, msFive / msOne));
                double mel = melgramMs(bench.resolve("melgram.onnx"), rows, batch, threads);
                md.append(String.format(Locale.ROOT, "| log-mel front end alone (%.0f%% of the 5-head graph) | %d | %d |"
                        + " %.1f | — |%n", 100 * mel / msFive, threads, batch, mel));
            }
        }
        System.out.println(md);
        Path out = Path.of("target", "benchmarks", "convnet.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, md);
    }

    private static double msPerWindow(OnnxEnsembleModel model, float[][] rows, int batch) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < rows.length; i += batch) {
            float[][] chunk = java.util.Arrays.copyOfRange(rows, i, Math.min(rows.length, i + batch));
            model.run(chunk);
        }
        return (System.nanoTime() - t0) / 1e6 / rows.length;
    }

    private static double melgramMs(Path graph, float[][] rows, int batch, int threads) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(threads);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession s = env.createSession(graph.toString(), so)) {
                double best = Double.MAX_VALUE;
                for (int round = 0; round < ROUNDS; round++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < rows.length; i += batch) {
                        int n = Math.min(batch, rows.length - i);
                        FloatBuffer buf = FloatBuffer.allocate(n * rows[0].length);
                        for (int k = 0; k < n; k++) {
                            buf.put(rows[i + k]);
                        }
                        buf.rewind();
                        try (OnnxTensor x = OnnxTensor.createTensor(env, buf, new long[] {n, rows[0].length});
                                OrtSession.Result r = s.run(Map.of("audio", x))) {
                            r.get(0);
                        }
                    }
                    best = Math.min(best, (System.nanoTime() - t0) / 1e6 / rows.length);
                }
                return best;
            }
        }
    }
}
