package dev.tempered.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.training.ModelTrainer;
import dev.tempered.api.training.TrainingRequest;
import dev.tempered.api.training.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host action is a thin adapter: one folder in, the trainer's progress out, its cancellation heard. */
class TrainActionTest {
    @TempDir
    Path tmp;

    /** Reports two embedded tracks, then stops if asked, else returns a result. */
    private static final class FakeTrainer implements ModelTrainer {
        final List<TrainingRequest> requests = new ArrayList<>();

        @Override
        public TrainingResult train(TrainingRequest request, dev.tempered.api.training.TrainingListener listener)
                throws TemperedException {
            requests.add(request);
            listener.embedded(1, 2, request.data().resolve("a.flac"), false, Duration.ofSeconds(65));
            if (listener.cancelled()) {
                throw new TemperedException(request.data(), "training cancelled while embedding; nothing was written");
            }
            listener.embedded(2, 2, request.data().resolve("b.flac"), true, Duration.ZERO);
            Map<Metric, MetricValue> m = new EnumMap<>(Metric.class);
            for (Metric k : List.of(Metric.ACCURACY, Metric.NLL, Metric.ECE, Metric.MAE)) {
                m.put(k, new MetricValue(k, 0.5, 0.4, 0.6));
            }
            return new TrainingResult(new ModelRef(request.id(), "1.0.0"), request.data().resolve("pkg"),
                    List.of("a", "b"), Map.of("a", 3, "b", 3), Map.of(), 1.5, m, m,
                    new ReliabilityDiagram(List.of()), Optional.empty(), 1, 1, Map.of(), List.of(), 1, 1);
        }
    }

    @Test
    void oneFolderIsTrainedOnWithItsSubFoldersAsLabelsAndProgressShowsTheEta() throws Exception {
        Path music = Files.createDirectories(tmp.resolve("My Music"));
        FakeTrainer trainer = new FakeTrainer();
        TrainAction action = new TrainAction(trainer);
        assertTrue(action.appliesTo(List.of(music)));
        assertFalse(action.appliesTo(List.of(music, music)), "one folder, not several");
        assertFalse(action.appliesTo(List.of(Files.writeString(tmp.resolve("x.flac"), "x"))), "a folder, not a file");
        List<String> messages = new ArrayList<>();
        ActionResult r = action.run(List.of(music), new ProgressMonitor() {
            @Override
            public void progress(int done, int total, String message) {
                messages.add(done + "/" + total + " " + message);
            }

            @Override
            public boolean isCancelled() {
                return false;
            }
        });
        assertEquals("trained-my-music", trainer.requests.get(0).id());
        assertEquals(LabelSource.FOLDERS, trainer.requests.get(0).labelsFrom());
        assertTrue(messages.contains("1/2 embedded a.flac (about 1:05 left)"), messages.toString());
        assertFalse(r.cancelled());
        assertTrue(r.summary().contains("trained-my-music@1.0.0") && r.summary().contains("T = 1.500"), r.summary());
        assertEquals(4, r.rows().size());
    }

    @Test
    void cancellingStopsTheTrainerAndSaysNothingWasWritten() throws Exception {
        Path music = Files.createDirectories(tmp.resolve("m"));
        ActionResult r = new TrainAction(new FakeTrainer()).run(List.of(music), new ProgressMonitor() {
            @Override
            public void progress(int done, int total, String message) {
            }

            @Override
            public boolean isCancelled() {
                return true;
            }
        });
        assertTrue(r.cancelled());
        assertEquals("Stopped: no model was written", r.summary());
    }
}
