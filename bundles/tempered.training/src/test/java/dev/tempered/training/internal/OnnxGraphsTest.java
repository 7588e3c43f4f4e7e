package dev.tempered.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The heads graph written in protobuf's wire format computes, in ONNX Runtime, what the Java heads compute. */
class OnnxGraphsTest {
    @Test
    void theWrittenHeadsGraphGivesTheJavaLogits() throws Exception {
        int dims = 7;
        Random r = new Random(5);
        float[] mean = new float[dims];
        float[] std = new float[dims];
        for (int j = 0; j < dims; j++) {
            mean[j] = (float) r.nextGaussian();
            std[j] = (float) (0.5 + r.nextDouble());
        }
        List<Mlp> heads = List.of(new Mlp(dims, 4, 3, 1), new Mlp(dims, 4, 3, 2));
        // Trained a little, so that the biases are not zero.
        double[][] x = new double[12][dims];
        int[] y = new int[12];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < dims; j++) {
                x[i][j] = r.nextGaussian();
            }
            y[i] = i % 3;
        }
        for (Mlp h : heads) {
            h.train(x, y, Mlp.Settings.of(5), 9, () -> false);
        }
        byte[] graph = OnnxGraphs.headsOnly("embedding", "logits", new OnnxGraphs.Heads(mean, std, heads));
        float[][] in = new float[3][dims];
        for (float[] row : in) {
            for (int j = 0; j < dims; j++) {
                row[j] = (float) (2 * r.nextGaussian());
            }
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(graph, new OrtSession.SessionOptions());
                OnnxTensor t = OnnxTensor.createTensor(env, in);
                OrtSession.Result res = s.run(Map.of("embedding", t))) {
            float[][][] out = (float[][][]) res.get(0).getValue();
            assertEquals(3, out.length);
            for (int i = 0; i < in.length; i++) {
                double[] xs = new double[dims];
                for (int j = 0; j < dims; j++) {
                    xs[j] = (in[i][j] - mean[j]) / std[j];
                }
                for (int m = 0; m < heads.size(); m++) {
                    double[] z = heads.get(m).logits(xs);
                    for (int k = 0; k < 3; k++) {
                        assertEquals(z[k], out[i][m][k], 1e-4, "row " + i + " member " + m + " class " + k);
                    }
                }
            }
        }
    }
}
