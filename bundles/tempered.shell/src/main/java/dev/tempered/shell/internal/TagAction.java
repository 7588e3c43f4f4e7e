package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import dev.tempered.api.tag.TagWriter;
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
 * "Tag selection": analyses each file and writes the genre where the calibrated confidence reaches the policy's
 * threshold (the model's configured {@code min.confidence}, else {@link TagPolicy#defaults()}); below it only
 * Tempered's own fields are written, marked for review.
 */
@Component(service = PluginAction.class, property = "service.ranking:Integer=90")
public final class TagAction implements PluginAction {
    static final String ID = "tempered.tag";
    private final TrackAnalyzer analyzer;
    private final TagWriter writer;
    private final ModelRepository repository;
    private final TemperatureStore store;

    /**
     * @param repository may be null: the default threshold applies then
     * @param store      may be null: the default threshold applies then
     */
    @Activate
    public TagAction(@Reference TrackAnalyzer analyzer, @Reference TagWriter writer,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            ModelRepository repository,
            @Reference(cardinality = ReferenceCardinality.OPTIONAL, policyOption = ReferencePolicyOption.GREEDY)
            TemperatureStore store) {
        this.analyzer = analyzer;
        this.writer = writer;
        this.repository = repository;
        this.store = store;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String label() {
        return String.format(Locale.ROOT, "Tag selection (genre at confidence \u2265 %.2f)", policy().threshold());
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

    /**
     * The one default policy ({@link TagPolicy#defaults()}: existing genres kept, a genre someone changed never
     * overwritten) with the active model's configured threshold, if it has one; the decisions are the tag writer's.
     */
    TagPolicy policy() {
        TagPolicy d = TagPolicy.defaults();
        if (repository == null || store == null) {
            return d.withConfigured(java.util.OptionalDouble.of(d.threshold()));
        }
        Optional<ModelSpec> active = repository.active("genre");
        return d.withConfigured(active.map(s -> store.minConfidence(s.ref()))
                .filter(java.util.OptionalDouble::isPresent).orElse(java.util.OptionalDouble.of(d.threshold())));
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) {
        TagPolicy policy = policy();
        List<Map<String, String>> rows = new ArrayList<>();
        Map<Path, String> failures = new LinkedHashMap<>();
        Map<TagPlan.Decision, Integer> counts = new EnumMap<>(TagPlan.Decision.class);
        boolean cancelled = false;
        for (int i = 0; i < selection.size(); i++) {
            if (monitor.isCancelled()) {
                cancelled = true;
                break;
            }
            Path file = selection.get(i);
            monitor.progress(i, selection.size(), Selection.name(file));
            try {
                TrackAnalysis a = analyzer.analyze(file, null);
                TagPlan plan = writer.plan(file, a.prediction(), policy);
                TagResult result = writer.apply(plan);
                Map<String, String> row = Rows.of(a);
                row.put("decision", plan.decision().name().toLowerCase(Locale.ROOT));
                row.put("written", result.written() ? "yes" : "no");
                row.put("reason", plan.reason());
                rows.add(row);
                counts.merge(plan.decision(), 1, Integer::sum);
            } catch (TemperedException e) {
                failures.put(file, e.getMessage());
            } catch (RuntimeException e) {
                failures.put(file, String.valueOf(e));
            }
        }
        monitor.progress(selection.size(), selection.size(), "");
        String summary = String.format(Locale.ROOT, "%s %d of %d files at threshold %.2f: %d genre written, %d review,"
                + " %d skipped%s", cancelled ? "Stopped after tagging" : "Tagged", rows.size(), selection.size(),
                policy.threshold(), counts.getOrDefault(TagPlan.Decision.WRITE, 0),
                counts.getOrDefault(TagPlan.Decision.REVIEW, 0), counts.getOrDefault(TagPlan.Decision.SKIP, 0),
                failures.isEmpty() ? "" : ", " + failures.size() + " failed");
        return new ActionResult(summary, rows, Optional.empty(), cancelled, failures);
    }
}
