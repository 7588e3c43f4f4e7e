package dev.tempered.library.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.tag.TagJournal;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import dev.tempered.api.tag.TagWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The collection tagger: scan, analyse, write, index, report. */
@Component(service = {CollectionTagger.class, ReviewQueue.class}, configurationPid = LibraryConfiguration.PID)
@Designate(ocd = LibraryConfiguration.class)
public final class CollectionTaggerComponent implements CollectionTagger, ReviewQueue {
    private static final Logger LOG = LoggerFactory.getLogger(CollectionTaggerComponent.class);
    private final FrontEnds frontEnds = new FrontEnds();
    private final AnalysisEngine engine;
    private final Path indexDir;
    // One job per index: H2's file lock would refuse a second one anyway, with a less helpful message.
    private final ReentrantLock jobLock = new ReentrantLock();

    private volatile TagWriter writer;
    private volatile TagJournal journal;
    private volatile CalibrationMetrics metrics;
    private volatile CalibrationCharts charts;

    @Activate
    public CollectionTaggerComponent(@Reference ModelRepository models, @Reference AudioLoader loader,
            @Reference Calibrator calibrator, BundleContext context, LibraryConfiguration config) {
        this(models, loader, calibrator, indexDir(context, config));
    }

    /** For tests: the index in a given folder. */
    CollectionTaggerComponent(ModelRepository models, AudioLoader loader, Calibrator calibrator, Path indexDir) {
        this.engine = new AnalysisEngine(models, loader, calibrator, frontEnds);
        this.indexDir = indexDir;
    }

    /**
     * Without a framework (the Spark module, tools, other modules' tests): the product's collection tagger over
     * plain parts, its index in {@code indexDir}.
     */
    public static CollectionTaggerComponent standalone(ModelRepository models, AudioLoader loader,
            Calibrator calibrator, Path indexDir, TagWriter writer, TagJournal journal,
            java.util.Collection<FrontEnd> frontEnds) {
        CollectionTaggerComponent c = new CollectionTaggerComponent(models, loader, calibrator, indexDir);
        c.setWriter(writer);
        c.setJournal(journal);
        frontEnds.forEach(c::addFrontEnd);
        return c;
    }

    private static Path indexDir(BundleContext context, LibraryConfiguration config) {
        if (config != null && !config.indexDir().isBlank()) {
            return Path.of(config.indexDir());
        }
        // $TEMPERED_HOME counts here too, as it does for models and the journal (it was ignored before).
        return dev.tempered.api.TemperedHome.resolve(context.getProperty(dev.tempered.api.TemperedHome.PROPERTY))
                .resolve("library");
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFrontEnd(FrontEnd frontEnd) {
        frontEnds.add(frontEnd);
    }

    void removeFrontEnd(FrontEnd frontEnd) {
        frontEnds.remove(frontEnd);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setWriter(TagWriter w) {
        writer = w;
    }

    void unsetWriter(TagWriter w) {
        if (writer == w) {
            writer = null;
        }
    }

    private volatile dev.tempered.api.library.TaggingSettings settings;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setSettings(dev.tempered.api.library.TaggingSettings s) {
        settings = s;
    }

    void unsetSettings(dev.tempered.api.library.TaggingSettings s) {
        if (settings == s) {
            settings = null;
        }
    }

    /** Whether review decisions keep the files' modification time: tempered.conf's {@code mtime}, else no. */
    private boolean keepModified() throws TemperedException {
        dev.tempered.api.library.TaggingSettings s = settings;
        return s != null && Boolean.TRUE.equals(s.defaults().keepModified());
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setJournal(TagJournal j) {
        journal = j;
    }

    void unsetJournal(TagJournal j) {
        if (journal == j) {
            journal = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setMetrics(CalibrationMetrics m) {
        metrics = m;
    }

    void unsetMetrics(CalibrationMetrics m) {
        if (metrics == m) {
            metrics = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void setCharts(CalibrationCharts c) {
        charts = c;
    }

    void unsetCharts(CalibrationCharts c) {
        if (charts == c) {
            charts = null;
        }
    }

    @Override
    public TagJobSummary tag(TagJobRequest request, TagJobListener listener) throws TemperedException {
        TagWriter w = writer;
        if (!request.dryRun() && w == null) {
            throw new TemperedException(null, "no tag writer is installed; run with --dry-run to analyse only");
        }
        lock();
        try (LibraryIndex index = LibraryIndex.open(indexDir)) {
            TagJob job = new TagJob(engine, w, index, request, listener);
            TagJob.Outcome o = job.run();
            Map<String, Double> evaluation = Reports.evaluate(o.entries(), metrics);
            List<Path> reports = List.of();
            if (request.reportDir() != null) {
                long r0 = System.nanoTime();
                try {
                    reports = Reports.write(request.reportDir(), o.entries(), job.summary(List.of(), evaluation),
                            o.spec().labels(), o.policy(), charts, request.roots());
                } catch (IOException e) {
                    throw new TemperedException(request.reportDir(), "cannot write the reports: " + e.getMessage(), e);
                }
                job.addStage("report", System.nanoTime() - r0);
            }
            job.finishPhase();
            return job.summary(reports, evaluation);
        } finally {
            jobLock.unlock();
        }
    }

    @Override
    public TagJobSummary apply(Path table, TagJobRequest request, TagJobListener listener) throws TemperedException {
        TagWriter w = writer;
        if (!request.dryRun() && w == null) {
            throw new TemperedException(null, "no tag writer is installed; run with --dry-run to preview only");
        }
        List<dev.tempered.api.library.StoredPrediction> rows = readTable(table);
        lock();
        try (LibraryIndex index = LibraryIndex.open(indexDir)) {
            TagJob job = new TagJob(engine, w, index, request, listener);
            TagJob.Outcome o = job.runApply(table, rows);
            List<Path> reports = List.of();
            if (request.reportDir() != null) {
                try {
                    reports = Reports.write(request.reportDir(), o.entries(), job.summary(List.of(), Map.of()),
                            o.spec().labels(), o.policy(), charts, request.roots());
                } catch (IOException e) {
                    throw new TemperedException(request.reportDir(), "cannot write the reports: " + e.getMessage(), e);
                }
            }
            job.finishPhase();
            return job.summary(reports, Map.of());
        } finally {
            jobLock.unlock();
        }
    }

    /** A Spark table's rows, from the JSON lines its job wrote beside the Parquet parts. */
    static List<dev.tempered.api.library.StoredPrediction> readTable(Path table) throws TemperedException {
        Path file = Files.isDirectory(table) ? table.resolve(dev.tempered.api.library.StoredPrediction.FILE) : table;
        if (!Files.isRegularFile(file)) {
            throw new TemperedException(table, "not a table written by tempered spark (no "
                    + dev.tempered.api.library.StoredPrediction.FILE + " in it)");
        }
        List<dev.tempered.api.library.StoredPrediction> rows = new ArrayList<>();
        com.fasterxml.jackson.databind.ObjectReader reader = new com.fasterxml.jackson.databind.ObjectMapper()
                .readerFor(dev.tempered.api.library.StoredPrediction.class);
        int line = 0;
        try (java.io.BufferedReader r = Files.newBufferedReader(file, java.nio.charset.StandardCharsets.UTF_8)) {
            for (String s = r.readLine(); s != null; s = r.readLine()) {
                line++;
                if (!s.isBlank()) {
                    rows.add(reader.readValue(s));
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new TemperedException(file, "line " + line + ": not a prediction row: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new TemperedException(file, "cannot read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new TemperedException(file, "no rows");
        }
        return rows;
    }

    private void lock() throws TemperedException {
        try {
            jobLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemperedException(null, "interrupted while waiting for another job on the same index");
        }
    }

    @Override
    public List<TagResult> undo(List<Path> roots, TagJobListener listener) throws TemperedException {
        TagJournal j = journal;
        if (j == null) {
            throw new TemperedException(null, "no tag journal is installed, so nothing can be undone");
        }
        List<Path> absRoots = roots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
        List<Path> real = new ArrayList<>(absRoots);
        for (Path r : absRoots) {
            try {
                real.add(r.toRealPath());
            } catch (IOException e) {
                // A root that no longer exists can still name journaled files.
            }
        }
        Set<Path> files = new LinkedHashSet<>();
        for (TagJournal.Entry e : j.entries(Instant.EPOCH)) {
            if (!e.undo() && real.stream().anyMatch(r -> e.file().startsWith(r))) {
                files.add(e.file());
            }
        }
        List<TagResult> out = new ArrayList<>();
        lock();
        try (LibraryIndex index = LibraryIndex.open(indexDir)) {
            // One batch: the journal is read once, not once per file.
            out.addAll(j.undo(files, () -> listener != null && listener.isCancelled()));
            for (TagResult r : out) {
                if (r.written()) {
                    unmarkWritten(index, r.file());
                } else {
                    LOG.warn("undo of {} failed: {}", r.file(), r.message());
                }
            }
        } finally {
            jobLock.unlock();
        }
        return out;
    }

    private static void unmarkWritten(LibraryIndex index, Path f) {
        refresh(index, f, e -> e.with(e.decision(), false, null, "tags restored by undo"));
    }

    /**
     * Gives a file's row the file's size, time and hash as they are now (after a write of ours, so the next run does
     * not take it for a changed file) and the entry the function makes of it.
     */
    private static void refresh(LibraryIndex index, Path f, java.util.function.UnaryOperator<LibraryEntry> change) {
        try {
            LibraryIndex.Row row = index.get(f).orElse(null);
            if (row == null) {
                return;
            }
            LibraryEntry e = change.apply(row.entry());
            BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
            index.put(new LibraryIndex.Row(new LibraryEntry(e.file(), a.size(), a.lastModifiedTime().toInstant(),
                    ContentHash.of(f), e.durationSeconds(), e.model(), e.temperature(), e.labels(), e.probabilities(),
                    e.topLabel(), e.confidence(), e.entropy(), e.mutualInformation(), e.decision(), e.written(),
                    e.writtenAt(), e.truth(), e.status(), e.message(), e.genreBefore(), e.genreAfter(),
                    e.suggestion()), row.logits()));
        } catch (IOException | SQLException e) {
            // The next run notices the changed file by its hash and analyses it again: safe, only slower.
        }
    }

    // ---- the review queue

    @Override
    public List<ReviewQueue.Item> list(List<Path> paths) throws TemperedException {
        TagWriter w = requireWriter();
        List<ReviewQueue.Item> out = new ArrayList<>();
        for (Queued q : queued(paths, w)) {
            out.add(q.item());
        }
        out.sort(java.util.Comparator.comparingDouble(ReviewQueue.Item::confidence)
                .thenComparing(ReviewQueue.Item::relativePath));
        return out;
    }

    @Override
    public List<TagResult> accept(List<Path> paths) throws TemperedException {
        TagWriter w = requireWriter();
        boolean keep = keepModified();
        return decide(w, queued(paths, w), q -> w.planEdit(q.item().file(), List.of(q.item().suggestion()),
                Map.of(TagFields.STATUS, ""), "accepted by a person: genre " + q.item().suggestion(), keep),
                (e, plan) -> new LibraryEntry(e.file(), e.size(), e.modified(), e.contentHash(), e.durationSeconds(),
                        e.model(), e.temperature(), e.labels(), e.probabilities(), e.topLabel(), e.confidence(),
                        e.entropy(), e.mutualInformation(), TagPlan.Decision.WRITE, true, Instant.now(), e.truth(),
                        e.status(), plan.reason(), plan.previous().get(TagFields.GENRE),
                        String.join("; ", plan.genres()), e.suggestion()));
    }

    @Override
    public List<TagResult> reject(List<Path> paths) throws TemperedException {
        TagWriter w = requireWriter();
        boolean keep = keepModified();
        List<Queued> targets = new ArrayList<>(queued(paths, w));
        // A file named on its own is marked even when it is not waiting: "leave this one alone".
        for (Path p : paths) {
            Path f = p.toAbsolutePath().normalize();
            if (Files.isRegularFile(f) && targets.stream().noneMatch(q -> q.item().file().equals(real(f)))) {
                targets.add(new Queued(new ReviewQueue.Item(real(f), f.getFileName().toString(), null, null, Double.NaN,
                        Double.NaN, "named"), null));
            }
        }
        return decide(w, targets, q -> w.planEdit(q.item().file(), List.of(), Map.of(TagFields.STATUS,
                TagFields.REJECTED), "rejected by a person: marked do-not-touch", keep),
                (e, plan) -> e.with(TagPlan.Decision.SKIP, e.written(), e.writtenAt(), plan.reason()));
    }

    @Override
    public List<TagResult> clear(List<Path> paths) throws TemperedException {
        TagWriter w = requireWriter();
        boolean keep = keepModified();
        List<Queued> targets = new ArrayList<>();
        for (LibraryIndex.Row row : rows(paths)) {
            Path f = row.entry().file();
            try {
                Map<String, String> tags = w.read(f);
                if (hasOurs(tags)) {
                    targets.add(new Queued(new ReviewQueue.Item(f, f.toString(), tags.get(TagFields.GENRE), null,
                            row.entry().confidence(), row.entry().mutualInformation(), "clear"), row));
                }
            } catch (TagException e) {
                // Gone or unreadable: nothing of ours to clear that we could reach.
            }
        }
        Map<String, String> none = new java.util.LinkedHashMap<>();
        for (String field : List.of(TagFields.CONFIDENCE, TagFields.DISTRIBUTION, TagFields.MODEL, TagFields.STATUS,
                TagFields.SUGGESTION)) {
            none.put(field, "");
        }
        // Cleared: the next run treats the file as never tagged and plans it again.
        return decide(w, targets, q -> w.planEdit(q.item().file(), List.of(), none, "Tempered's fields removed",
                keep), (e, plan) -> e.with(null, false, null, plan.reason()));
    }

    private static boolean hasOurs(Map<String, String> tags) {
        return tags.keySet().stream().anyMatch(k -> k.startsWith("TEMPERED_"));
    }

    private record Queued(ReviewQueue.Item item, LibraryIndex.Row row) {
    }

    private interface Planner {
        TagPlan plan(Queued q) throws TagException;
    }

    private List<TagResult> decide(TagWriter w, List<Queued> targets, Planner planner,
            java.util.function.BiFunction<LibraryEntry, TagPlan, LibraryEntry> indexed) throws TemperedException {
        List<TagResult> out = new ArrayList<>();
        lock();
        try (LibraryIndex index = LibraryIndex.open(indexDir)) {
            for (Queued q : targets) {
                Path f = q.item().file();
                try {
                    TagPlan plan = planner.plan(q);
                    TagResult r = w.apply(plan);
                    out.add(r);
                    refresh(index, f, e -> indexed.apply(e, plan));
                } catch (TagException e) {
                    out.add(new TagResult(f, null, false, e.getMessage()));
                }
            }
        } finally {
            jobLock.unlock();
        }
        return out;
    }

    /** Indexed files under the paths whose tags say they wait for a person (the file decides, not the index). */
    private List<Queued> queued(List<Path> paths, TagWriter w) throws TemperedException {
        List<Path> roots = paths.stream().map(p -> real(p.toAbsolutePath().normalize())).toList();
        List<Queued> out = new ArrayList<>();
        for (LibraryIndex.Row row : rows(paths)) {
            LibraryEntry e = row.entry();
            Map<String, String> tags;
            try {
                tags = w.read(e.file());
            } catch (TagException ex) {
                continue;
            }
            if (!TagFields.REVIEW.equals(tags.get(TagFields.STATUS))) {
                continue;
            }
            String suggestion = tags.getOrDefault(TagFields.SUGGESTION, e.suggestion() != null ? e.suggestion()
                    : e.topLabel());
            double confidence = parse(tags.get(TagFields.CONFIDENCE), e.confidence());
            Path root = roots.stream().filter(r -> e.file().startsWith(r)).findFirst().orElse(null);
            Path base = root == null ? null : Files.isDirectory(root) ? root : root.getParent();
            String rel = base == null ? e.file().toString() : base.relativize(e.file()).toString();
            String reason = e.message().isEmpty() ? "marked for review" : e.message();
            out.add(new Queued(new ReviewQueue.Item(e.file(), rel, tags.get(TagFields.GENRE), suggestion, confidence,
                    e.mutualInformation(), reason), row));
        }
        return out;
    }

    private static double parse(String s, double fallback) {
        try {
            return s == null ? fallback : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    private TagWriter requireWriter() throws TemperedException {
        TagWriter w = writer;
        if (w == null) {
            throw new TemperedException(null, "no tag writer is installed, so the review queue cannot be read");
        }
        return w;
    }

    @Override
    public LabelledLogits labelled(List<Path> roots, String modelId, LabelSource source, Path labelMapping,
            TagJobListener listener) throws TemperedException {
        if (source == LabelSource.NONE) {
            throw new IllegalArgumentException("labels need a source: folders or tags");
        }
        TagJobSummary s = tag(new TagJobRequest(roots, modelId, true, TagPolicy.defaults(), 0, null, source,
                labelMapping, false), listener);
        List<String> labels = null;
        List<double[][]> rows = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (LibraryIndex.Row row : rows(roots)) {
            LibraryEntry e = row.entry();
            if (e.truth() == null || e.model() == null || !e.model().equals(s.model()) || row.logits() == null
                    || !e.labels().contains(e.truth())) {
                continue;
            }
            labels = e.labels();
            int t = labels.indexOf(e.truth());
            // Each window is a row: the temperature acts on windows, before they are combined.
            for (double[][] window : row.logits()) {
                rows.add(window);
                truth.add(t);
                names.add(e.file().toString());
            }
        }
        if (rows.isEmpty()) {
            throw new TemperedException(null, "no analysed file under " + roots + " has a label from its "
                    + source.name().toLowerCase() + " that maps onto the model's labels"
                    + (s.unmappedLabels().isEmpty() ? "" : " (unmapped: " + s.unmappedLabels() + ")"));
        }
        return new LabelledLogits(labels, rows.toArray(double[][][]::new),
                truth.stream().mapToInt(Integer::intValue).toArray(), names);
    }

    @Override
    public List<LibraryEntry> entries(List<Path> roots) throws TemperedException {
        return rows(roots).stream().map(LibraryIndex.Row::entry).toList();
    }

    private List<LibraryIndex.Row> rows(List<Path> roots) throws TemperedException {
        List<Path> real = new ArrayList<>();
        for (Path r : roots) {
            try {
                real.add(r.toRealPath());
            } catch (IOException e) {
                real.add(r.toAbsolutePath().normalize());
            }
        }
        lock();
        try (LibraryIndex index = LibraryIndex.open(indexDir)) {
            return index.under(real);
        } catch (SQLException e) {
            throw new TemperedException(indexDir, "cannot read the library index: " + e.getMessage(), e);
        } finally {
            jobLock.unlock();
        }
    }
}
