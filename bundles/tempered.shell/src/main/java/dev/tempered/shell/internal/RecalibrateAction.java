package dev.tempered.shell.internal;

import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.library.CollectionTagger;
import java.nio.file.Path;
import java.time.LocalDate;
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
 * "Recalibrate on selection": fits the active model's temperature (one T for every member, MEMBER_T) on the
 * selected files, taking their existing genre tags as the truth, and stores it in the model's calibration
 * configuration. The paper's point: the T fitted on the package's validation data is not the best one for
 * someone else's collection.
 */
@Component(service = PluginAction.class, property = "service.ranking:Integer=50")
public final class RecalibrateAction implements PluginAction {
    static final String ID = "tempered.recalibrate";
    private final ModelRepository repository;
    private final Calibrator calibrator;
    private final TemperatureSettings store;
    private final CollectionTagger tagger;

    @Activate
    public RecalibrateAction(@Reference ModelRepository repository, @Reference Calibrator calibrator,
            @Reference TemperatureSettings store, @Reference CollectionTagger tagger) {
        this.repository = repository;
        this.calibrator = calibrator;
        this.store = store;
        this.tagger = tagger;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return "Recalibrate on selection's genre tags";
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
        try (ModelLease lease = repository.lease("genre")) {
            ModelSpec spec = lease.model().spec();
            ModelRef ref = spec.ref();
            TaggedSelection c = TaggedSelection.collect(tagger, selection, monitor);
            List<Map<String, String>> rows = new ArrayList<>();
            c.windows().forEach((file, windows) -> {
                Map<String, String> row = new LinkedHashMap<>();
                row.put(Rows.FILE, Selection.name(file));
                row.put("genre tag", "used");
                row.put("windows", Integer.toString(windows));
                row.put(Rows.MODEL, ref.toString());
                rows.add(row);
            });
            if (c.cancelled()) {
                return new ActionResult("Stopped: the temperature of " + ref + " was not changed", rows,
                        Optional.empty(), true, c.failures());
            }
            if (c.data() == null || c.data().size() == 0) {
                throw new TemperedException(null, "none of the " + selection.size() + " selected files has a genre"
                        + " tag that is one of " + ref + "'s labels " + spec.labels());
            }
            TemperatureFit fit = calibrator.fit(c.data(), CalibrationMethod.MEMBER_T);
            double before = calibrator.temperature(ref, spec.defaultTemperature());
            String fittedOn = String.format(Locale.ROOT, "%d windows of %d tagged files (%s), NLL %.4f -> %.4f, %s",
                    fit.samples(), c.windows().size(), folders(c.windows().keySet()), fit.nllBefore(), fit.nllAfter(),
                    LocalDate.now());
            boolean applied = TemperatureChange.apply(store, calibrator, ref, spec.defaultTemperature(),
                    fit.temperature(), fittedOn);
            String summary = String.format(Locale.ROOT, "%s: T %.3f -> %.3f, fitted on %d windows of %d files"
                    + " (NLL at T=1 %.3f, fitted %.3f)%s", ref, before, fit.temperature(), fit.samples(),
                    c.windows().size(), fit.nllBefore(), fit.nllAfter(),
                    applied ? "" : "; stored, not yet applied by the calibrator");
            return new ActionResult(summary, rows, Optional.empty(), false, c.failures());
        }
    }

    private static String folders(java.util.Collection<Path> files) {
        return files.stream().map(Path::getParent).filter(p -> p != null).map(Path::toString).distinct().limit(3)
                .reduce((a, b) -> a + ", " + b).orElse("");
    }
}
