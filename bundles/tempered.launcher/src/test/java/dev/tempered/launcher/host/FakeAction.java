package dev.tempered.launcher.host;

import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** An action that reports one row per selected file, made by a function of the file. */
final class FakeAction implements PluginAction {
    final String id;
    final String label;
    final List<String> menuPath;
    volatile boolean enabled = true;
    volatile Path image;
    final Function<Path, Map<String, String>> row;
    final List<List<Path>> runs = new ArrayList<>();

    FakeAction(String id, String label, List<String> menuPath, Function<Path, Map<String, String>> row) {
        this.id = id;
        this.label = label;
        this.menuPath = menuPath;
        this.row = row;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public List<String> menuPath() {
        return menuPath;
    }

    @Override
    public boolean appliesTo(List<Path> selection) {
        return !selection.isEmpty();
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) {
        runs.add(selection);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < selection.size(); i++) {
            monitor.progress(i, selection.size(), selection.get(i).toString());
            Map<String, String> r = new LinkedHashMap<>(row.apply(selection.get(i)));
            r.put("file", selection.get(i).getFileName().toString());
            rows.add(r);
        }
        return new ActionResult(label + " done", rows, Optional.ofNullable(image), false, Map.of());
    }
}
