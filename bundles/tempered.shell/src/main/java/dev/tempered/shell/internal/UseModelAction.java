package dev.tempered.shell.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** "Use model X": one per installed model package, registered and withdrawn by {@link ModelMenu}. */
final class UseModelAction implements PluginAction {
    static final String ID_PREFIX = "tempered.model.use.";
    private final ModelRepository repository;
    private final ModelSpec spec;

    UseModelAction(ModelRepository repository, ModelSpec spec) {
        this.repository = repository;
        this.spec = spec;
    }

    ModelRef ref() {
        return spec.ref();
    }

    @Override
    public String id() {
        return ID_PREFIX + spec.ref();
    }

    @Override
    public String label() {
        return "Use " + spec.name() + " (" + spec.ref() + ")";
    }

    @Override
    public List<String> menuPath() {
        return List.of("Tempered", "Models");
    }

    @Override
    public boolean appliesTo(List<Path> selection) {
        return true;
    }

    /** Disabled for the model that is active already. */
    @Override
    public boolean enabled() {
        return !isActive();
    }

    boolean isActive() {
        return repository.active(spec.task()).map(s -> s.ref().equals(spec.ref())).orElse(false);
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) throws TemperedException {
        monitor.progress(0, 1, spec.ref().toString());
        ModelSpec now = repository.activate(spec.ref().id(), spec.ref().version());
        monitor.progress(1, 1, "");
        // Rows are per file; a swap concerns none.
        return new ActionResult("Active " + now.task() + " model: " + now.name() + " (" + now.ref() + ")", List.of(),
                Optional.empty(), false, Map.of());
    }
}
