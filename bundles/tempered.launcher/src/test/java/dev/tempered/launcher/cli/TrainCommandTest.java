package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.training.TrainingResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `tempered train` prints of the service's result, and how it reads a labels map. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void theHeldOutMetricsWithIntervalsAndTheReliabilityDiagramArePrinted() {
        Map<Metric, MetricValue> before = new EnumMap<>(Metric.class);
        Map<Metric, MetricValue> after = new EnumMap<>(Metric.class);
        before.put(Metric.ACCURACY, new MetricValue(Metric.ACCURACY, 0.9, 0.8, 0.95));
        after.put(Metric.ACCURACY, new MetricValue(Metric.ACCURACY, 0.9, 0.8, 0.95));
        before.put(Metric.ECE, new MetricValue(Metric.ECE, 0.123, 0.05, 0.2));
        after.put(Metric.ECE, new MetricValue(Metric.ECE, 0.045, 0.02, 0.1));
        TrainingResult r = new TrainingResult(new ModelRef("mine", "1.0.0"), dir.resolve("mine"), List.of("a", "b"),
                Map.of("b", 4, "a", 3), Map.of("train", "3 tracks, 3 windows", "test", "2 tracks, 2 windows",
                        "calibration", "2 tracks, 2 windows", "grouping", "by album folder"), 1.25, before, after,
                new ReliabilityDiagram(List.of(new ReliabilityDiagram.Bin(0.8, 0.9, 2, 1.0, 0.85),
                        new ReliabilityDiagram.Bin(0.9, 1.0, 0, 0, 0))),
                Optional.empty(), 5, 2, Map.of(dir.resolve("bad.ogg"), "cannot decode: not Ogg"), List.of(), 1, 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainCommand.print(new PrintStream(bytes, true, StandardCharsets.UTF_8), r);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("Trained mine@1.0.0: a, b"), out);
        assertTrue(out.contains("tracks per label: {a=3, b=4}"), out);
        assertTrue(out.contains("T = 1.2500, fitted by NLL on the calibration part"), out);
        assertTrue(out.matches("(?s).*ece\\s+0\\.123 \\(0\\.050-0\\.200\\)\\s+0\\.045 \\(0\\.020-0\\.100\\).*"), out);
        assertTrue(out.contains("0.80-0.90     2"), out);
        assertTrue(!out.contains("0.90-1.00"), "empty bins are left out: " + out);
        assertTrue(out.contains("bad.ogg: cannot decode: not Ogg"), out);
        assertTrue(out.contains("5 decoded, 2 from the cache"), out);
    }

    @Test
    void aLabelsMapIsReadAndABadLineNamed() throws Exception {
        Path ok = Files.writeString(dir.resolve("map.txt"), "# mine\nRomantic Classical = Orchestral\n\nsynth=Electronic\n");
        assertEquals(Map.of("Romantic Classical", "Orchestral", "synth", "Electronic"), TrainCommand.readMap(ok));
        Path bad = Files.writeString(dir.resolve("bad.txt"), "a = b\njust a name\n");
        UsageException e = assertThrows(UsageException.class, () -> TrainCommand.readMap(bad));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void mcDropoutAsksTheServiceForTheVariantWithItsPasses() throws Exception {
        List<dev.tempered.api.training.TrainingRequest> asked = new java.util.ArrayList<>();
        CalibrationFakes.Context ctx = new CalibrationFakes.Context(dir).with(
                dev.tempered.api.training.ModelTrainer.class, (request, listener) -> {
                    asked.add(request);
                    throw new dev.tempered.api.TemperedException(request.data(), "stop here");
                });
        Files.createDirectories(dir.resolve("music"));
        Cli.run(new TrainCommand(), List.of("--data", dir.resolve("music").toString(), "--labels-from", "folders",
                "--id", "mine", "--mc-dropout", "--passes", "12"), ctx);
        assertEquals(12, asked.get(0).mcPasses());
        assertTrue(asked.get(0).mcDropout());
        asked.clear();
        Cli.run(new TrainCommand(), List.of("--data", dir.resolve("music").toString(), "--labels-from", "folders",
                "--id", "mine"), ctx);
        assertEquals(0, asked.get(0).mcPasses(), "a deep ensemble by default");
        assertThrows(UsageException.class, () -> Cli.run(new TrainCommand(), List.of("--data",
                dir.resolve("music").toString(), "--labels-from", "folders", "--id", "mine", "--mc-dropout",
                "--passes", "1"), ctx));
    }
}
