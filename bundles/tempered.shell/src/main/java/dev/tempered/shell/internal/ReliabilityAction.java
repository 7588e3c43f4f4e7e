package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagWriter;
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
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * "Reliability diagram of active model": analyses the selection with the active model at its current temperature
 * and compares the calibrated confidence with the files' own genre tags, bin by bin.
 */
@Component(service = PluginAction.class, property = "service.ranking:Integer=40")
public final class ReliabilityAction implements PluginAction {
    static final String ID = "tempered.reliability";
    static final int BINS = 10;
    private final TrackAnalyzer analyzer;
    private final TagWriter tags;
    private final CalibrationMetrics metrics;
    private final ModelRepository repository;
    private final CalibrationCharts charts;

    /** @param charts may be null: a plainer built-in chart is drawn then */
    @Activate
    public ReliabilityAction(@Reference TrackAnalyzer analyzer, @Reference TagWriter tags,
            @Reference CalibrationMetrics metrics, @Reference ModelRepository repository,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            CalibrationCharts charts) {
        this.analyzer = analyzer;
        this.tags = tags;
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
        List<TrackAnalysis> done = new ArrayList<>();
        Map<Path, String> failures = new LinkedHashMap<>();
        boolean cancelled = AnalyzeAction.analyzeEach(analyzer, selection, monitor, done, failures);
        List<double[]> probs = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        List<Map<String, String>> rows = new ArrayList<>();
        GenrePrediction first = null;
        for (TrackAnalysis a : done) {
            GenrePrediction p = a.prediction();
            try {
                int t = GenreTags.truth(tags, a.file(), p.labels());
                probs.add(p.probabilities());
                truth.add(t);
                Map<String, String> row = Rows.of(a);
                row.put("genre tag", p.labels().get(t));
                row.put("correct", p.labels().get(t).equals(p.topLabel()) ? "yes" : "no");
                rows.add(row);
                first = first == null ? p : first;
            } catch (TagException e) {
                failures.put(a.file(), e.getMessage());
            }
        }
        if (cancelled) {
            return new ActionResult("Stopped before the diagram was drawn", rows, Optional.empty(), true, failures);
        }
        if (probs.isEmpty()) {
            throw new TemperedException(null, "none of the " + selection.size() + " selected files could be compared"
                    + " with a genre tag the active model knows" + (failures.isEmpty() ? ""
                            : " (first problem: " + failures.values().iterator().next() + ")"));
        }
        double[][] p = probs.toArray(new double[0][]);
        int[] y = truth.stream().mapToInt(Integer::intValue).toArray();
        ReliabilityDiagram diagram = metrics.reliability(p, y, BINS);
        double ece = metrics.compute(Metric.ECE, p, y, BINS);
        double mae = metrics.compute(Metric.MAE, p, y, BINS);
        double acc = metrics.compute(Metric.ACCURACY, p, y, BINS);
        double nll = metrics.compute(Metric.NLL, p, y, BINS);
        String model = first.attribution();
        Path png;
        try {
            png = Files.createTempFile("tempered-reliability-", ".png");
            png.toFile().deleteOnExit();
            if (charts != null) {
                charts.reliability(p, y, BINS, "Reliability of " + model + " on " + y.length + " tagged files", png);
            } else {
                ReliabilityChart.write(diagram, "Reliability of " + model, List.of(
                    String.format(Locale.ROOT, "files      %d", y.length),
                    String.format(Locale.ROOT, "accuracy  %.3f", acc),
                    String.format(Locale.ROOT, "ECE        %.3f", ece),
                    String.format(Locale.ROOT, "MAE        %.3f", mae),
                    String.format(Locale.ROOT, "NLL        %.3f", nll)), png);
            }
        } catch (IOException e) {
            throw new TemperedException(null, "cannot draw the reliability diagram: " + e.getMessage(), e);
        }
        String summary = String.format(Locale.ROOT, "%s on %d tagged files: accuracy %.3f, ECE %.3f, MAE %.3f,"
                + " NLL %.3f (%d bins)", model, y.length, acc, ece, mae, nll, BINS);
        return new ActionResult(summary, rows, Optional.of(png), false, failures);
    }
}
