package dev.tempered.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.model.EnsembleOutput;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiRecordsTest {
    @Test
    void modelRefParsesAndPrints() {
        ModelRef ref = ModelRef.parse("gtzan-mlp@1.0.0");
        assertEquals(new ModelRef("gtzan-mlp", "1.0.0"), ref);
        assertEquals("gtzan-mlp@1.0.0", ref.toString());
        assertThrows(IllegalArgumentException.class, () -> ModelRef.parse("no-version"));
        assertThrows(IllegalArgumentException.class, () -> new ModelRef("Upper", "1"));
    }

    @Test
    void ensembleOutputIndexesRowMemberClass() {
        float[] logits = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        EnsembleOutput out = new EnsembleOutput(new ModelRef("m", "1"), 2, 2, 3, logits);
        assertEquals(9f, out.logit(1, 0, 2));
        assertArrayEquals(new double[] {10, 11, 12}, out.row(1)[1]);
        logits[0] = 99;
        assertEquals(1f, out.logit(0, 0, 0), "the record copies its array");
        assertThrows(IllegalArgumentException.class, () -> new EnsembleOutput(new ModelRef("m", "1"), 2, 2, 2, logits));
    }

    @Test
    void predictionComputesTopConfidenceAndEntropy() {
        GenrePrediction p = GenrePrediction.of(new ModelRef("m", "1"), 1.5, List.of("a", "b"), new double[] {0.25, 0.75}, 0);
        assertEquals("b", p.topLabel());
        assertEquals(0.75, p.confidence());
        assertEquals(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)), p.entropy(), 1e-12);
        assertEquals("m@1 T=1.5000", p.attribution());
    }
}
