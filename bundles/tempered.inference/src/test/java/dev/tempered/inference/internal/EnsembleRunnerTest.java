package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The runner's batching, input checks and MC dropout passes, on real ONNX Runtime sessions. */
class EnsembleRunnerTest {

    @Test
    void chunkedBatchesGiveTheSameLogitsAsOneCall() throws Exception {
        float[][] x = TestPackages.rows(11, 8, 7);
        OnnxEnsembleModel whole = OnnxEnsembleModel.open(TestPackages.resource("tiny-1"),
                new RunnerOptions(1, false, 1024, true));
        OnnxEnsembleModel chunked = OnnxEnsembleModel.open(TestPackages.resource("tiny-1"),
                new RunnerOptions(2, false, 3, true));
        try {
            EnsembleOutput a = whole.run(x);
            EnsembleOutput b = chunked.run(x);
            assertArrayEquals(a.logits(), b.logits());
            // Row 4 alone gives what it gave inside the batch: rows do not leak into each other.
            EnsembleOutput single = whole.run(new float[][] {x[4]});
            assertArrayEquals(single.logits(), Arrays.copyOfRange(a.logits(), 4 * 12, 5 * 12));
        } finally {
            whole.release();
            chunked.release();
        }
    }

    @Test
    void wrongRowLengthIsAnInferenceException() throws Exception {
        OnnxEnsembleModel m = OnnxEnsembleModel.open(TestPackages.resource("tiny-1"), RunnerOptions.defaults());
        try {
            InferenceException e = assertThrows(InferenceException.class, () -> m.run(new float[][] {new float[7]}));
            assertTrue(e.getMessage().contains("expects 8"), e.getMessage());
        } finally {
            m.release();
        }
    }

    @Test
    void closedModelRefusesToRun() throws Exception {
        OnnxEnsembleModel m = OnnxEnsembleModel.open(TestPackages.resource("tiny-1"), RunnerOptions.defaults());
        m.release();
        assertEquals(0, m.holds());
        assertFalse(m.retain());
        assertThrows(IllegalStateException.class, () -> m.run(new float[1][8]));
    }

    @Test
    void mcDropoutPassesDifferTiled() throws Exception {
        assertPassesDiffer(true);
    }

    @Test
    void mcDropoutPassesDifferOnePerCall() throws Exception {
        assertPassesDiffer(false);
    }

    private static void assertPassesDiffer(boolean tiled) throws Exception {
        OnnxEnsembleModel m = OnnxEnsembleModel.open(TestPackages.resource("mcd"), new RunnerOptions(1, false, 4, tiled));
        try {
            assertEquals(6, m.spec().effectiveMembers());
            float[][] x = TestPackages.rows(5, 8, 3);
            EnsembleOutput out = m.run(x);
            assertEquals(6, out.members());
            for (int row = 0; row < 5; row++) {
                double[][] passes = out.row(row);
                int distinct = (int) Arrays.stream(passes).map(Arrays::toString).distinct().count();
                // With p = 0.5 over 32 hidden units, two identical masks are practically impossible.
                assertEquals(6, distinct, "row " + row + " passes: " + Arrays.deepToString(passes));
            }
            // And two runs of the same input differ: the graph's masks were not folded into constants.
            assertFalse(Arrays.equals(out.logits(), m.run(x).logits()));
        } finally {
            m.release();
        }
    }
}
