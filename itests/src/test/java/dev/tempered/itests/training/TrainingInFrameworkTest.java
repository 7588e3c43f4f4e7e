package dev.tempered.itests.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.training.ModelTrainer;
import dev.tempered.api.training.TrainingListener;
import dev.tempered.api.training.TrainingRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The training bundle resolves inside Felix with protobuf-java and H2, its {@link ModelTrainer} is wired to the
 * analyser, repository and calibration services, and the host action "Train a model on the selection" is offered
 * for a folder. (Training itself runs end to end in tempered.training's TrainingServiceTest.)
 */
class TrainingInFrameworkTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 20_000)
    ModelTrainer trainer;

    @InjectService(timeout = 20_000)
    List<PluginAction> actions;

    @Test
    void theTrainerAndItsHostActionAreThere() throws Exception {
        assertNotNull(trainer);
        Path folder = Files.createTempDirectory("tempered-train-it-");
        PluginAction train = actions.stream().filter(a -> a.id().equals("tempered.train")).findFirst().orElseThrow();
        assertEquals("Train a model on the selection", train.label());
        assertTrue(train.appliesTo(List.of(folder)));
        // An empty folder makes no model: the service says so, and nothing is written.
        Executable run = () -> trainer.train(TrainingRequest.of(folder, LabelSource.FOLDERS, "it")
                .withOutput(folder.resolve("out")), TrainingListener.NONE);
        TemperedException e = org.junit.jupiter.api.Assertions.assertThrows(TemperedException.class, run);
        assertTrue(e.getMessage().contains("no labelled tracks"), e.getMessage());
        assertTrue(!Files.exists(folder.resolve("out")));
        Files.delete(folder);
    }
}
