package dev.tempered.itests.foundation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wrapped ONNX Runtime bundle loads its native library inside Felix and runs a graph. */
class OnnxRuntimeInFrameworkTest {
    @Test
    void sessionRunsInsideTheFramework() throws Exception {
        byte[] model;
        try (InputStream in = getClass().getResourceAsStream("/add_one.onnx")) {
            assertNotNull(in, "add_one.onnx is not in the tests bundle");
            model = in.readAllBytes();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor x = OnnxTensor.createTensor(env, new float[][] {{1, 2, 3}, {-1, 0, 0.5f}});
                OrtSession.Result result = session.run(Map.of("x", x))) {
            float[][] y = (float[][]) result.get(0).getValue();
            assertArrayEquals(new float[] {2, 3, 4}, y[0]);
            assertArrayEquals(new float[] {0, 1, 1.5f}, y[1]);
        }
    }
}
