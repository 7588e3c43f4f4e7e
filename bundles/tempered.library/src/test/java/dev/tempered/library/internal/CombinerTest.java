package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CombinerTest {
    private static final ModelRef M = new ModelRef("m", "1");
    private static final List<String> L = List.of("a", "b");

    @Test
    void meanProbabilityAveragesTheWindowsAndTheirMutualInformation() throws Exception {
        GenrePrediction w1 = GenrePrediction.of(M, 2, L, new double[] {0.9, 0.1}, 0.2);
        GenrePrediction w2 = GenrePrediction.of(M, 2, L, new double[] {0.3, 0.7}, 0.0);
        GenrePrediction c = Combiner.combine(Path.of("x"), "mean-probability", List.of(w1, w2));
        assertArrayEquals(new double[] {0.6, 0.4}, c.probabilities(), 1e-12);
        assertEquals("a", c.topLabel());
        assertEquals(0.1, c.mutualInformation(), 1e-12);
        assertEquals(-(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4)), c.entropy(), 1e-12);
    }

    @Test
    void anUnknownMethodIsRefusedNamingTheFile() {
        GenrePrediction w = GenrePrediction.of(M, 2, L, new double[] {0.5, 0.5}, 0);
        TemperedException e = assertThrows(TemperedException.class,
                () -> Combiner.combine(Path.of("song.mp3"), "vote", List.of(w, w)));
        assertTrue(e.getMessage().contains("song.mp3") && e.getMessage().contains("vote"), e.getMessage());
    }
}
