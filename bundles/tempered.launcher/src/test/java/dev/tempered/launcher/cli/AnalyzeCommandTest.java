package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tempered.api.ModelRef;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnalyzeCommandTest {
    private static final ModelRef MODEL = new ModelRef("choi-gtzan", "1.0.0");

    private static GenrePrediction prediction(double a, double b) {
        return new GenrePrediction(MODEL, 1.25, List.of("blues", "jazz"), new double[] {a, b}, a > b ? "blues" : "jazz",
                Math.max(a, b), Double.NaN, 0.01);
    }

    @Test
    void jsonCarriesTheWindowsVectorsTheirMeanAndNoNaN() throws Exception {
        TrackAnalysis a = new TrackAnalysis(Path.of("/music/a.ogg"), null, prediction(0.3, 0.7),
                List.of(prediction(0.2, 0.8), prediction(0.4, 0.6)), new TrackAnalysis.Timings(1_000_000, 0, 2_000_000),
                new TrackAnalysis.Vectors(List.of("layer1_00", "layer1_01"), new float[][] {{1, 2}, {3, 6}}));
        JsonNode j = new ObjectMapper().readTree(AnalyzeCommand.json(a, true).toString());
        assertEquals("jazz", j.get("genre").asText());
        assertTrue(j.get("entropy").isNull(), "NaN must not reach JSON");
        assertEquals("jazz", j.get("distribution").fieldNames().next(), "highest probability first");
        assertEquals(List.of("layer1_00", "layer1_01"),
                List.of(j.get("features").get("names").get(0).asText(), j.get("features").get("names").get(1).asText()));
        assertEquals(2, j.get("features").get("windows").size());
        assertEquals(2.0, j.get("features").get("mean").get(0).asDouble(), 1e-9);
        assertEquals(4.0, j.get("features").get("mean").get(1).asDouble(), 1e-9);
        JsonNode without = new ObjectMapper().readTree(AnalyzeCommand.json(a, false).toString());
        assertTrue(without.get("features") == null);
    }

    @Test
    void aFileNameWithQuotesAndControlCharactersStaysValidJson() throws Exception {
        TrackAnalysis a = new TrackAnalysis(Path.of("/music/\"odd\"\n\u0001name.ogg"), null, prediction(0.9, 0.1),
                List.of(), new TrackAnalysis.Timings(0, 0, 0));
        JsonNode j = new ObjectMapper().readTree(AnalyzeCommand.json(a, true).toString());
        assertEquals("/music/\"odd\"\n\u0001name.ogg", j.get("file").asText());
        assertTrue(j.get("features").isNull());
    }
}
