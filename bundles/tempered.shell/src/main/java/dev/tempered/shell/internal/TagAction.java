package dev.tempered.shell.internal;

import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.TemperedException;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TaggingDefaults;
import dev.tempered.api.library.TaggingSettings;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
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
 * "Tag selection": the selection goes through the same index-aware collection job as {@code tempered tag} (one
 * policy, the journal, the index, resumable), with the model's configured {@code min.confidence} as threshold. Below
 * it only Tempered's own fields are written, marked for review.
 */
@Component(service = PluginAction.class, property = "service.ranking:Integer=90")
public final class TagAction implements PluginAction {
    static final String ID = "tempered.tag";
    private final CollectionTagger tagger;
    private final ModelRepository repository;
    private final TemperatureSettings store;

    /**
     * @param repository may be null: the label then shows the default threshold
     * @param store      may be null: the label then shows the default threshold
     */
    @Activate
    public TagAction(@Reference CollectionTagger tagger,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            ModelRepository repository,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            TemperatureSettings store,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            TaggingSettings settings) {
        this.tagger = tagger;
        this.repository = repository;
        this.store = store;
        this.settings = settings;
    }

    /** Without tempered.conf: the built-in defaults. */
    public TagAction(CollectionTagger tagger, ModelRepository repository, TemperatureSettings store) {
        this(tagger, repository, store, null);
    }

    private final TaggingSettings settings;

    /** The librarian's defaults (tempered.conf), the same the command line starts from. */
    private TaggingDefaults defaults() throws TemperedException {
        return settings == null ? TaggingDefaults.none() : settings.defaults();
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return String.format(Locale.ROOT, "Tag selection (genre at confidence \u2265 %.2f)", shownThreshold());
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

    /** What the job will apply: the active model's configured threshold, else the policy default. */
    double shownThreshold() {
        TagPolicy d;
        try {
            d = defaults().policy(null, null, null, null, null);
        } catch (TemperedException | IllegalArgumentException e) {
            d = TagPolicy.defaults();
        }
        if (repository == null || store == null) {
            return d.threshold();
        }
        Optional<ModelSpec> active = repository.active("genre");
        return d.withConfigured(active.map(s -> store.minConfidence(s.ref()))
                .orElse(java.util.OptionalDouble.empty())).threshold();
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) {
        List<Map<String, String>> rows = new ArrayList<>();
        Map<TagPlan.Decision, Integer> counts = new EnumMap<>(TagPlan.Decision.class);
        // The librarian's defaults (tempered.conf) over the built-in policy (existing genres kept, the model's
        // configured threshold) decide, as for `tempered tag` without options; no report.
        TagJobSummary summary;
        try {
            TaggingDefaults d = defaults();
            TagPolicy policy;
            try {
                policy = d.policy(null, null, null, null, null);
            } catch (IllegalArgumentException e) {
                throw new TemperedException(d.source(), e.getMessage());
            }
            TagJobRequest request = new TagJobRequest(selection, d.model(null), false, policy, 0, null,
                    LabelSource.NONE, null, false);
            summary = tagger.tag(request, new TagJobListener() {
                @Override
                public void progress(TagJobProgress p) {
                    monitor.progress(p.done(), Math.max(p.toAnalyse(), p.done()),
                            p.current() == null ? "" : Selection.name(p.current()));
                }

                @Override
                public void fileDone(LibraryEntry e) {
                    if (e.status() == LibraryEntry.Status.FAILED || e.probabilities().length == 0) {
                        return;
                    }
                    Map<String, String> row = Rows.of(e);
                    row.put("decision", e.decision() == null ? "" : e.decision().name().toLowerCase(Locale.ROOT));
                    row.put("written", e.written() ? "yes" : "no");
                    if (e.message() != null) {
                        row.put("reason", e.message());
                    }
                    synchronized (rows) {
                        rows.add(row);
                        if (e.decision() != null) {
                            counts.merge(e.decision(), 1, Integer::sum);
                        }
                    }
                }

                @Override
                public boolean isCancelled() {
                    return monitor.isCancelled();
                }
            });
        } catch (TemperedException e) {
            Map<Path, String> all = new LinkedHashMap<>();
            selection.forEach(f -> all.put(f, e.getMessage()));
            return new ActionResult("Tagging failed: " + e.getMessage(), List.of(), Optional.empty(), false, all);
        }
        monitor.progress(selection.size(), selection.size(), "");
        String text = String.format(Locale.ROOT, "%s %d of %d files with %s at T=%.4f: %d written, %d review, "
                + "%d already up to date%s", summary.cancelled() ? "Stopped after tagging" : "Tagged",
                rows.size(), summary.found(), summary.model(), summary.temperature(), summary.written(),
                counts.getOrDefault(TagPlan.Decision.REVIEW, 0), summary.unchanged(),
                summary.failures().isEmpty() ? "" : ", " + summary.failures().size() + " failed");
        return new ActionResult(text, rows, Optional.empty(), summary.cancelled(), summary.failures());
    }
}
