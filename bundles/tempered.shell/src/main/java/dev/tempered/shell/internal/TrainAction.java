package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.training.ModelTrainer;
import dev.tempered.api.training.TrainingListener;
import dev.tempered.api.training.TrainingRequest;
import dev.tempered.api.training.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * "Train a model on the selection": the selected folder's sub-folders are the labels (Jazz/, Hip-Hop/...), the
 * {@link ModelTrainer} does the rest with its defaults, and the package appears in the Models menu once the
 * repository has verified it. The id is {@code trained-<folder name>}.
 */
@Component(service = PluginAction.class, property = "service.ranking:Integer=40")
public final class TrainAction implements PluginAction {
    static final String ID = "tempered.train";
    private final ModelTrainer trainer;

    @Activate
    public TrainAction(@Reference ModelTrainer trainer) {
        this.trainer = trainer;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return "Train a model on the selection";
    }

    @Override
    public List<String> menuPath() {
        return List.of("Tempered", "Models");
    }

    @Override
    public boolean appliesTo(List<Path> selection) {
        return selection.size() == 1 && Files.isDirectory(selection.get(0));
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /** {@code trained-} and the folder's name, reduced to what a package id may hold. */
    static String idFor(Path folder) {
        Path name = folder.toAbsolutePath().normalize().getFileName();
        String s = (name == null ? "music" : name.toString()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-")
                .replaceAll("^-+|-+$", "");
        String id = "trained-" + (s.isEmpty() ? "music" : s);
        return id.length() > 64 ? id.substring(0, 64) : id;
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) throws TemperedException {
        if (!appliesTo(selection)) {
            throw new TemperedException(null, "select one folder whose sub-folders are the labels to learn");
        }
        Path folder = selection.get(0);
        Path report;
        try {
            report = Files.createTempDirectory("tempered-train");
        } catch (IOException e) {
            throw new TemperedException(null, "cannot create a folder for the reliability diagram: " + e.getMessage(), e);
        }
        TrainingRequest base = TrainingRequest.of(folder, LabelSource.FOLDERS, idFor(folder));
        TrainingRequest request = new TrainingRequest(base.data(), base.labelsFrom(), base.labelsMap(), base.id(),
                base.backbone(), base.members(), base.seed(), base.holdout(), base.epochs(), base.hidden(),
                base.output(), Optional.of(report));
        TrainingResult r;
        try {
            r = trainer.train(request, listener(monitor));
        } catch (TemperedException e) {
            if (monitor.isCancelled()) {
                return new ActionResult("Stopped: no model was written", List.of(), Optional.empty(), true, Map.of());
            }
            throw e;
        }
        return new ActionResult(summary(r), rows(r), r.diagram(), false, r.failures());
    }

    static TrainingListener listener(ProgressMonitor monitor) {
        return new TrainingListener() {
            @Override
            public void stage(String description) {
                monitor.progress(0, 1, description);
            }

            @Override
            public void embedded(int done, int total, Path file, boolean cached, Duration eta) {
                monitor.progress(done, total, String.format(Locale.ROOT, "embedded %s (about %d:%02d left)",
                        Selection.name(file), eta.toMinutes(), eta.toSecondsPart()));
            }

            @Override
            public boolean cancelled() {
                return monitor.isCancelled();
            }
        };
    }

    static String summary(TrainingResult r) {
        MetricValue acc = r.calibrated().get(Metric.ACCURACY);
        MetricValue ece = r.calibrated().get(Metric.ECE);
        return String.format(Locale.ROOT, "%s trained on %s; T = %.3f; test accuracy %.3f (%.3f-%.3f), ECE %.3f "
                + "(%.3f-%.3f); %d embeddings decoded, %d cached; package %s", r.model(), new java.util.TreeMap<>(r.labelCounts()),
                r.temperature(), acc.value(), acc.lower(), acc.upper(), ece.value(), ece.lower(), ece.upper(),
                r.embedded(), r.cached(), r.packageDir());
    }

    static List<Map<String, String>> rows(TrainingResult r) {
        List<Map<String, String>> rows = new ArrayList<>();
        for (Metric m : List.of(Metric.ACCURACY, Metric.NLL, Metric.ECE, Metric.MAE)) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put("metric (test part)", m.name().toLowerCase(Locale.ROOT));
            row.put("T = 1", cell(r.uncalibrated().get(m)));
            row.put(String.format(Locale.ROOT, "T = %.3f", r.temperature()), cell(r.calibrated().get(m)));
            rows.add(row);
        }
        return rows;
    }

    private static String cell(MetricValue v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f (%.3f-%.3f)", v.value(), v.lower(), v.upper());
    }
}
