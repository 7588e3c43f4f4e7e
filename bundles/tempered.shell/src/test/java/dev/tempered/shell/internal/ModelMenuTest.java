package dev.tempered.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import java.util.List;
import java.util.Map;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ModelMenuTest {
    /** The registered items by id, with their current properties. */
    private final Map<String, Map<String, Object>> registry = new ConcurrentHashMap<>();
    private final Map<String, PluginAction> actions = new ConcurrentHashMap<>();
    private final Fakes.Repository repo = new Fakes.Repository();
    private ModelMenu menu;

    @BeforeEach
    void setUp() {
        menu = new ModelMenu(repo, (action, props) -> {
            registry.put(action.id(), props);
            actions.put(action.id(), action);
            return new ModelMenu.Handle() {
                @Override
                public void update(Map<String, Object> p) {
                    registry.put(action.id(), p);
                }

                @Override
                public void unregister() {
                    registry.remove(action.id());
                    actions.remove(action.id());
                }
            };
        }, new Inline());
        repo.onChange = () -> menu.repositoryChanged(repo);
    }

    @Test
    void itemsFollowInstalledPackages() {
        assertTrue(registry.isEmpty());
        repo.add(Fakes.spec("alpha", "1.0.0", 1.0));
        repo.add(Fakes.spec("beta", "2.0.0", 1.0));
        assertEquals(List.of("tempered.model.use.alpha@1.0.0", "tempered.model.use.beta@2.0.0"),
                registry.keySet().stream().sorted().toList());
        assertEquals("alpha@1.0.0", registry.get("tempered.model.use.alpha@1.0.0").get(ModelMenu.MODEL_PROPERTY));

        repo.uninstall(new ModelRef("alpha", "1.0.0"));
        assertEquals(List.of("tempered.model.use.beta@2.0.0"), List.copyOf(registry.keySet()));
        assertEquals(java.util.Set.of(new ModelRef("beta", "2.0.0")), menu.registered());
    }

    @Test
    void theActiveModelsItemIsDisabledAndMarked() throws Exception {
        repo.add(Fakes.spec("alpha", "1.0.0", 1.0));
        repo.add(Fakes.spec("beta", "2.0.0", 1.0));
        PluginAction alpha = actions.get("tempered.model.use.alpha@1.0.0");
        PluginAction beta = actions.get("tempered.model.use.beta@2.0.0");
        assertFalse(alpha.enabled());
        assertTrue(beta.enabled());
        assertEquals(true, registry.get(alpha.id()).get(ModelMenu.ACTIVE_PROPERTY));
        assertEquals(List.of("Tempered", "Models"), beta.menuPath());
        assertTrue(beta.label().contains("beta@2.0.0"), beta.label());

        var result = beta.run(List.of(), ProgressMonitor.NONE);
        assertEquals("beta@2.0.0", repo.active("genre").orElseThrow().ref().toString());
        assertTrue(result.summary().contains("beta@2.0.0"), result.summary());
        assertTrue(alpha.enabled());
        assertFalse(beta.enabled());
        assertEquals(false, registry.get(alpha.id()).get(ModelMenu.ACTIVE_PROPERTY));
        assertEquals(true, registry.get(beta.id()).get(ModelMenu.ACTIVE_PROPERTY));
    }

    @Test
    void deactivationWithdrawsEveryItem() throws Exception {
        repo.add(Fakes.spec("alpha", "1.0.0", 1.0));
        menu.deactivate();
        assertTrue(registry.isEmpty());
        repo.add(Fakes.spec("beta", "1.0.0", 1.0));
        assertTrue(registry.isEmpty(), "a stopped menu must not register items");
    }

    /** Runs reconciliations on the caller's thread so the test sees their effect at once. */
    private static final class Inline extends AbstractExecutorService {
        private volatile boolean shutdown;

        @Override
        public void execute(Runnable command) {
            command.run();
        }

        @Override
        public void shutdown() {
            shutdown = true;
        }

        @Override
        public List<Runnable> shutdownNow() {
            shutdown = true;
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return shutdown;
        }

        @Override
        public boolean isTerminated() {
            return shutdown;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }
    }
}
