package dev.tempered.shell.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * "Reliability diagram of active model": the selection's analysis windows at the active model's current
 * temperature against the files' own genre tags (read as {@code evaluate --labels-from tags} reads them), bin by bin.
 */
@Component(service = PluginAction.class, property = "service.ranking:Integer=40")
public final class ReliabilityAction implements PluginAction {
    static final String ID = "tempered.reliability";
    static final int BINS = 10;
    private final CollectionTagger tagger;
    private final Calibrator calibrator;
    private final CalibrationMetrics metrics;
    private final ModelRepository repository;
    private final CalibrationCharts charts;

    @Activate
    public ReliabilityAction(@Reference CollectionTagger tagger, @Reference Calibrator calibrator,
            @Reference CalibrationMetrics metrics, @Reference ModelRepository repository,
            @Reference CalibrationCharts charts) {
        this.tagger = tagger;
        this.calibrator = calibrator;
        this.metrics = metrics;
        this.repository = repository;
        this.charts = charts;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return "Reliability diagram of active model";
    }

    @Override
    public List<String> menuPath() {
        return List.of("Tempered", "Calibration");
    }

    @Override
    public boolean appliesTo(List<Path> selection) {
        return Selection.audioFiles(selection);
    }

    @Override
    public boolean enabled() {
        return repository.active("genre").isPresent();
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) throws TemperedException {
        ModelSpec spec = repository.active("genre").orElseThrow(() -> new TemperedException(null,
                "no genre model is active"));
        TaggedSelection c = TaggedSelection.collect(tagger, selection, monitor);
        if (c.cancelled()) {
            return new ActionResult("Stopped before the diagram was drawn", List.of(), Optional.empty(), true,
                    c.failures());
        }
        LabelledLogits data = c.data();
        ModelRef ref = spec.ref();
        // One temperature for the whole diagram, read once.
        double t = calibrator.temperature(ref, spec.defaultTemperature());
        double[][] p = new double[data.size()][];
        int[] y = data.truth();
        Map<Path, int[]> perFile = new LinkedHashMap<>();
        String attribution = null;
        for (int i = 0; i < p.length; i++) {
            GenrePrediction g = calibrator.apply(output(ref, data.logits()[i]), 0, data.labels(),
                    spec.defaultTemperature(), t);
            p[i] = g.probabilities();
            attribution = g.attribution();
            int[] counts = perFile.computeIfAbsent(Path.of(data.rowNames().get(i)), f -> new int[3]);
            counts[0]++;
            counts[1] += data.labels().get(y[i]).equals(g.topLabel()) ? 1 : 0;
            counts[2] = y[i];
        }
        List<Map<String, String>> rows = new ArrayList<>();
        perFile.forEach((file, counts) -> {
            Map<String, String> row = new LinkedHashMap<>();
            row.put(Rows.FILE, Selection.name(file));
            row.put("genre tag", data.labels().get(counts[2]));
            row.put("windows", Integer.toString(counts[0]));
            row.put("correct windows", Integer.toString(counts[1]));
            row.put(Rows.MODEL, ref.toString());
            rows.add(row);
        });
        double ece = metrics.compute(Metric.ECE, p, y, BINS);
        double mae = metrics.compute(Metric.MAE, p, y, BINS);
        double acc = metrics.compute(Metric.ACCURACY, p, y, BINS);
        double nll = metrics.compute(Metric.NLL, p, y, BINS);
        String title = String.format(Locale.ROOT, "%s on %d tagged files", attribution, perFile.size());
        Path png;
        try {
            png = Files.createTempFile("tempered-reliability-", ".png");
            png.toFile().deleteOnExit();
            charts.reliability(p, y, BINS, "Reliability of " + title, png);
        } catch (IOException e) {
            throw new TemperedException(null, "cannot draw the reliability diagram: " + e.getMessage(), e);
        }
        String summary = String.format(Locale.ROOT, "%s (%d windows): accuracy %.3f, ECE %.3f, MAE %.3f, NLL %.3f"
                + " (%d bins)", title, y.length, acc, ece, mae, nll, BINS);
        return new ActionResult(summary, rows, Optional.of(png), false, c.failures());
    }

    /** One window's {@code [members][classes]} logits as a one-row ensemble output. */
    private static EnsembleOutput output(ModelRef ref, double[][] window) {
        int members = window.length;
        int classes = window[0].length;
        float[] flat = new float[members * classes];
        for (int m = 0; m < members; m++) {
            for (int k = 0; k < classes; k++) {
                flat[m * classes + k] = (float) window[m][k];
            }
        }
        return new EnsembleOutput(ref, 1, members, classes, flat);
    }
}
