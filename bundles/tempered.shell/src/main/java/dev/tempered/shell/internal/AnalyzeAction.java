package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** "Analyse selection": the calibrated genre distribution of each selected file with the active model. */
@Component(service = PluginAction.class, property = "service.ranking:Integer=100")
public final class AnalyzeAction implements PluginAction {
    static final String ID = "tempered.analyse";
    private final TrackAnalyzer analyzer;

    @Activate
    public AnalyzeAction(@Reference TrackAnalyzer analyzer) {
        this.analyzer = analyzer;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return "Analyse selection";
    }

    @Override
    public List<String> menuPath() {
        return List.of("Tempered");
    }

    @Override
    public boolean appliesTo(List<Path> selection) {
        return Selection.audioFiles(selection);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) {
        List<Map<String, String>> rows = new ArrayList<>();
        Map<Path, String> failures = new LinkedHashMap<>();
        List<TrackAnalysis> done = new ArrayList<>();
        boolean cancelled = analyzeEach(analyzer, selection, monitor, done, failures);
        done.forEach(a -> rows.add(Rows.of(a)));
        String model = done.isEmpty() ? "" : " with " + done.get(0).prediction().attribution();
        String summary = (cancelled ? "Stopped after " : "Analysed ") + done.size() + " of " + selection.size()
                + " files" + model + (failures.isEmpty() ? "" : "; " + failures.size() + " failed");
        return new ActionResult(summary, rows, Optional.empty(), cancelled, failures);
    }

    /**
     * Analyses file by file so that the user can stop between files.
     *
     * @return whether the monitor cancelled
     */
    static boolean analyzeEach(TrackAnalyzer analyzer, List<Path> files, ProgressMonitor monitor,
            List<TrackAnalysis> done, Map<Path, String> failures) {
        for (int i = 0; i < files.size(); i++) {
            if (monitor.isCancelled()) {
                return true;
            }
            Path file = files.get(i);
            monitor.progress(i, files.size(), Selection.name(file));
            try {
                done.add(analyzer.analyze(file, null));
            } catch (TemperedException e) {
                failures.put(file, e.getMessage());
            } catch (RuntimeException e) {
                failures.put(file, String.valueOf(e));
            }
        }
        monitor.progress(files.size(), files.size(), "");
        return false;
    }
}
