package dev.tempered.library.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.LibraryEntry.Status;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobProgress.Phase;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagFields;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collection job: scan, sort the files into up to date / re-calibrate / analyse, then a pipeline in which
 * {@code jobs} threads decode and compute features while this thread batches their windows through the model,
 * calibrates, writes tags one file at a time and commits each file's index row as soon as it is done. Stopping
 * (the listener's cancellation) lets queued files go untouched and files already being decoded finish whole.
 */
final class TagJob {
    private static final Logger LOG = LoggerFactory.getLogger(TagJob.class);
    /** Files whose windows go through the model together. */
    static final int BATCH_FILES = 16;
    private static final long PROGRESS_EVERY_NANOS = 500_000_000L;

    private final AnalysisEngine engine;
    private final TagWriter writer;
    private final LibraryIndex index;
    private final TagJobRequest request;
    private final TagJobListener listener;
    private final long t0 = System.nanoTime();

    private final Map<String, Long> stages = new LinkedHashMap<>();
    private final Map<Path, String> failures = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final Map<String, Integer> unmapped = new TreeMap<>();
    private final List<LibraryEntry> entries = new ArrayList<>();
    private int found;
    private int toAnalyse;
    private int done;
    private int analysed;
    private int recalibrated;
    private int unchanged;
    private int written;
    private int review;
    private double audioSeconds;
    private Path current;
    private Phase phase = Phase.SCANNING;
    private long lastProgress;

    private ModelSpec spec;
    private double temperature;
    private TagPolicy policy;
    private GenreMapping mapping;

    TagJob(AnalysisEngine engine, TagWriter writer, LibraryIndex index, TagJobRequest request,
            TagJobListener listener) {
        this.engine = engine;
        this.writer = writer;
        this.index = index;
        this.request = request;
        this.listener = listener == null ? TagJobListener.NONE : listener;
        for (String s : List.of("scan", "decode", "features", "inference", "write", "index", "report")) {
            stages.put(s, 0L);
        }
    }

    /** A file that needs work, with what the index knew about it. */
    private record Work(Path file, BasicFileAttributes attrs, String hash, LibraryIndex.Row row, String truth) {
    }

    /** The results, for the reports and the summary. */
    record Outcome(TagJobSummary summary, List<LibraryEntry> entries, ModelSpec spec, TagPolicy policy) {
    }

    Outcome run() throws TemperedException {
        try (ModelLease lease = engine.lease(request.modelId())) {
            EnsembleModel model = lease.model();
            spec = model.spec();
            temperature = engine.pinTemperature(spec);
            // No threshold given: the model's configured min.confidence (its .cfg), else the default.
            policy = request.policy().withConfigured(engine.calibrator().minConfidence(spec.ref()));
            if (request.labelsFrom() != LabelSource.NONE) {
                mapping = GenreMapping.load(spec.labels(), request.labelMapping());
            }
            List<Path> files = scan();
            phase = Phase.ANALYSING;
            List<Work> analyse = new ArrayList<>();
            List<Work> recalibrate = new ArrayList<>();
            List<Work> writeOnly = new ArrayList<>();
            sort(files, analyse, recalibrate, writeOnly);
            toAnalyse = analyse.size() + recalibrate.size() + writeOnly.size() + done;
            progress(true);
            for (Work w : writeOnly) {
                if (listener.isCancelled()) {
                    break;
                }
                LibraryEntry e = w.row().entry();
                GenrePrediction p = GenrePrediction.of(e.model(), e.temperature(), e.labels(), e.probabilities(),
                        e.mutualInformation());
                unchanged++;
                finish(w, p, null, Status.UNCHANGED, e.durationSeconds(),
                        AudioSufficiency.recorded(e.message()).orElse(null));
            }
            for (Work w : recalibrate) {
                if (listener.isCancelled()) {
                    break;
                }
                recalibrate(w);
            }
            pipeline(model, analyse);
            phase = Phase.REPORTING;
            progress(true);
        }
        return new Outcome(summary(List.of(), Map.of()), List.copyOf(entries), spec, policy);
    }

    /**
     * {@code tag --apply}: writes predictions made elsewhere (a Spark table's rows) through {@link #finish}, as if
     * this job had analysed the files, for the rows whose file lies under the request's roots and still has the
     * content it had then.
     */
    Outcome runApply(Path table, List<dev.tempered.api.library.StoredPrediction> rows) throws TemperedException {
        String modelName = rows.stream().map(dev.tempered.api.library.StoredPrediction::model)
                .filter(java.util.Objects::nonNull).findFirst().orElseThrow(() -> new TemperedException(table,
                        "no row names a model: every file in the table failed"));
        if (rows.stream().anyMatch(r -> r.model() != null && !r.model().equals(modelName))) {
            throw new TemperedException(table, "rows of more than one model; apply one Spark run at a time");
        }
        ModelRef wanted = ModelRef.parse(modelName);
        try (ModelLease lease = engine.lease(wanted.id())) {
            spec = lease.model().spec();
        } catch (TemperedException e) {
            throw new TemperedException(table, "the table was made with " + modelName + ", which is not installed "
                    + "here (install the same package, then apply again)", e);
        }
        if (!spec.ref().equals(wanted)) {
            throw new TemperedException(table, "the table was made with " + modelName + " but " + spec.ref()
                    + " is installed: install the version the Spark job used");
        }
        temperature = rows.stream().filter(r -> r.error() == null).mapToDouble(
                dev.tempered.api.library.StoredPrediction::temperature).findFirst().orElse(Double.NaN);
        policy = request.policy().withConfigured(engine.calibrator().minConfidence(spec.ref()));
        List<Path> roots = request.roots().stream().map(r -> r.toAbsolutePath().normalize()).toList();
        List<dev.tempered.api.library.StoredPrediction> wantedRows = rows.stream()
                .filter(r -> roots.stream().anyMatch(Path.of(r.path())::startsWith)).toList();
        found = wantedRows.size();
        toAnalyse = found;
        phase = Phase.ANALYSING;
        progress(true);
        for (dev.tempered.api.library.StoredPrediction r : wantedRows) {
            if (listener.isCancelled()) {
                break;
            }
            Path f = Path.of(r.path());
            current = f;
            if (r.error() != null) {
                fail(f, null, stripFile(r.error(), f), 0);
                continue;
            }
            BasicFileAttributes attrs;
            String hash;
            long s0 = System.nanoTime();
            try {
                attrs = Files.readAttributes(f, BasicFileAttributes.class);
                hash = ContentHash.of(f);
            } catch (IOException e) {
                fail(f, null, "cannot read: " + e.getMessage(), 0);
                continue;
            }
            addStage("index", System.nanoTime() - s0);
            if (!hash.equals(r.contentHash())) {
                // Edited, re-encoded or replaced since the Spark run: its prediction is not this file's.
                fail(f, null, "changed since the Spark run (content hash differs); not written: run tempered tag on "
                        + "it, or spark again", 0);
                continue;
            }
            LibraryIndex.Row row;
            try {
                row = index.get(f).orElse(null);
            } catch (SQLException e) {
                row = null;
            }
            Work w = new Work(f, attrs, hash, row, truth(f));
            // The table's distribution in the model's label order (a Parquet map keeps no order).
            double[] probs = new double[spec.labels().size()];
            if (!new java.util.HashSet<>(r.labels()).equals(new java.util.HashSet<>(spec.labels()))) {
                fail(f, w, "the table's labels " + r.labels() + " are not " + spec.ref() + "'s", 0);
                continue;
            }
            double[] given = r.probabilities();
            for (int i = 0; i < given.length; i++) {
                probs[spec.labels().indexOf(r.labels().get(i))] = given[i];
            }
            GenrePrediction p = GenrePrediction.of(spec.ref(), r.temperature(), spec.labels(), probs,
                    r.mutualInformation());
            String insufficient = r.durationSeconds() < AudioSufficiency.MIN_SECONDS ? String.format(java.util.Locale.ROOT,
                    "%s: only %.3f s of audio (at least %.0f s needed)", AudioSufficiency.MARK, r.durationSeconds(),
                    AudioSufficiency.MIN_SECONDS) : null;
            analysed++;
            finish(w, p, null, Status.ANALYSED, r.durationSeconds(), insufficient);
            progress(false);
        }
        phase = Phase.REPORTING;
        progress(true);
        return new Outcome(summary(List.of(), Map.of()), List.copyOf(entries), spec, policy);
    }

    TagJobSummary summary(List<Path> reports, Map<String, Double> evaluation) {
        Map<String, Integer> genres = new TreeMap<>();
        int failed = 0;
        for (LibraryEntry e : entries) {
            if (e.status() == Status.FAILED) {
                failed++;
            } else if (e.topLabel() != null) {
                genres.merge(e.topLabel(), 1, Integer::sum);
            }
        }
        return new TagJobSummary(spec.ref(), temperature, request.dryRun(), listener.isCancelled(), found, analysed,
                recalibrated, unchanged, failed, written, review, genres, failures, audioSeconds,
                System.nanoTime() - t0, stages, evaluation, unmapped, index.file(), reports, warnings);
    }

    void addStage(String stage, long nanos) {
        stages.merge(stage, nanos, Long::sum);
    }

    private List<Path> scan() throws TemperedException {
        long s0 = System.nanoTime();
        List<Path> roots = new ArrayList<>();
        for (Path r : request.roots()) {
            roots.add(r.toAbsolutePath().normalize());
        }
        progress(true);
        Scanner.Result r;
        try {
            r = Scanner.scan(roots, engine.loader()::isAudio, listener::isCancelled, n -> {
                found = n;
                progress(false);
            });
        } catch (IOException e) {
            throw new TemperedException(null, "cannot scan: " + e.getMessage(), e);
        }
        found = r.files().size();
        warnings.addAll(r.warnings());
        addStage("scan", System.nanoTime() - s0);
        return r.files();
    }

    /** Decides per file: up to date, only the tags to write, re-calibration from stored logits, or analysis. */
    private void sort(List<Path> files, List<Work> analyse, List<Work> recalibrate, List<Work> writeOnly) {
        for (Path f : files) {
            if (listener.isCancelled()) {
                return;
            }
            long s0 = System.nanoTime();
            BasicFileAttributes attrs;
            LibraryIndex.Row row;
            String hash = null;
            try {
                attrs = Files.readAttributes(f, BasicFileAttributes.class);
                row = index.get(f).orElse(null);
                boolean sameStat = row != null && row.entry().size() == attrs.size()
                        && row.entry().modified().toEpochMilli() == attrs.lastModifiedTime().toMillis();
                if (row != null && !sameStat) {
                    // Touched but maybe not changed (a copy with -p lost, a sync tool): the content hash decides.
                    hash = ContentHash.of(f);
                    if (!hash.equals(row.entry().contentHash())) {
                        row = null;
                    }
                } else if (row == null) {
                    hash = ContentHash.of(f);
                }
            } catch (IOException | SQLException e) {
                fail(f, null, "cannot read: " + e.getMessage(), 0);
                continue;
            } finally {
                addStage("index", System.nanoTime() - s0);
            }
            String truth = truth(f);
            Work w = new Work(f, attrs, hash, row, truth);
            LibraryEntry e = row == null ? null : row.entry();
            if (request.reanalyse() || e == null || e.probabilities().length == 0 || e.model() == null) {
                analyse.add(w);
            } else if (e.model().equals(spec.ref()) && e.temperature() == temperature) {
                // A file whose analysis stands but whose write failed gets only the write retried.
                boolean pending = e.status() == Status.FAILED || !(e.written() || e.decision() == TagPlan.Decision.SKIP);
                if (request.dryRun() || !pending || writer == null) {
                    unchanged(w);
                } else {
                    writeOnly.add(w);
                }
            } else if (e.model().equals(spec.ref()) && row.logits() != null) {
                recalibrate.add(w);
            } else {
                analyse.add(w);
            }
        }
    }

    /** Files whose label this run takes from the index: their genre tag is now Tempered's own write. */
    private final java.util.Set<Path> labelFromIndex = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private String truth(Path f) {
        if (mapping == null) {
            return null;
        }
        if (request.labelsFrom() == LabelSource.FOLDERS) {
            String nearest = null;
            Path root = request.roots().stream().map(r -> r.toAbsolutePath().normalize()).filter(f::startsWith)
                    .findFirst().orElse(f.getRoot());
            for (Path d = f.getParent(); d != null && d.startsWith(root) && d.getFileName() != null;
                    d = d.getParent()) {
                String name = d.getFileName().toString();
                nearest = nearest == null ? name : nearest;
                String m = mapping.map(name).orElse(null);
                if (m != null) {
                    return m;
                }
                if (d.equals(root)) {
                    break;
                }
            }
            if (nearest != null) {
                unmapped.merge(nearest, 1, Integer::sum);
            }
            return null;
        }
        if (writer == null) {
            return null;
        }
        try {
            Map<String, String> tags = writer.read(f);
            String genre = tags.get("GENRE");
            if (TagFields.genreWrittenByTempered(tags)) {
                // Our own earlier answer is no ground truth; the index keeps the label read before we wrote.
                unmapped.merge("(genre written by Tempered)", 1, Integer::sum);
                labelFromIndex.add(f);
                return null;
            }
            if (genre == null || genre.isBlank()) {
                unmapped.merge("(no genre tag)", 1, Integer::sum);
                return null;
            }
            String m = mapping.map(genre).orElse(null);
            if (m == null) {
                unmapped.merge(genre, 1, Integer::sum);
            }
            return m;
        } catch (TagException | RuntimeException e) {
            unmapped.merge("(unreadable tags)", 1, Integer::sum);
            return null;
        }
    }

    private void unchanged(Work w) {
        LibraryEntry e = w.row().entry();
        unchanged++;
        if (e.decision() != null && e.decision() != TagPlan.Decision.WRITE) {
            // Still waiting for review (or skipped): a rerun must not say "0 for review" while the queue holds it.
            review++;
        }
        // With labels asked for, this run's labels replace the index's: an earlier --labels-map must not stick
        // and mix with the new one. The index's label stays only when no labels were asked for, or when the
        // file's genre is now our own write (the label read before it is the truth).
        String truth = w.truth();
        if (truth == null && (mapping == null || labelFromIndex.contains(w.file()))) {
            truth = e.truth();
        }
        LibraryEntry now = withTruth(e, truth, Status.UNCHANGED);
        if (!java.util.Objects.equals(truth, e.truth())) {
            // The index keeps what happened when the file was analysed; only the label is new.
            put(new LibraryIndex.Row(withTruth(e, truth, e.status()), w.row().logits()));
        }
        entries.add(now);
        listener.fileDone(now);
    }

    private static LibraryEntry withTruth(LibraryEntry e, String truth, Status status) {
        return new LibraryEntry(e.file(), e.size(), e.modified(), e.contentHash(), e.durationSeconds(), e.model(),
                e.temperature(), e.labels(), e.probabilities(), e.topLabel(), e.confidence(), e.entropy(),
                e.mutualInformation(), e.decision(), e.written(), e.writtenAt(), truth,
                status, e.message(), e.genreBefore(), e.genreAfter(), e.suggestion());
    }

    private void recalibrate(Work w) {
        long c0 = System.nanoTime();
        double[][][] z = w.row().logits();
        try {
            int members = z[0].length;
            int classes = z[0][0].length;
            float[] flat = new float[z.length * members * classes];
            int k = 0;
            for (double[][] win : z) {
                for (double[] m : win) {
                    for (double v : m) {
                        flat[k++] = (float) v;
                    }
                }
            }
            EnsembleOutput out = new EnsembleOutput(spec.ref(), z.length, members, classes, flat);
            List<GenrePrediction> windows = new ArrayList<>();
            for (int i = 0; i < z.length; i++) {
                windows.add(engine.calibrator().apply(out, i, spec.labels(), spec.defaultTemperature(), temperature));
            }
            GenrePrediction p = Combiner.combine(w.file(), spec.windowing().combine(), windows);
            addStage("inference", System.nanoTime() - c0);
            recalibrated++;
            finish(w, p, z, Status.RECALIBRATED, w.row().entry().durationSeconds(),
                    AudioSufficiency.recorded(w.row().entry().message()).orElse(null));
        } catch (TemperedException | RuntimeException e) {
            fail(w.file(), w, "re-calibration failed: " + e.getMessage(), 0);
        }
    }

    /**
     * The job's {@code jobs} worker threads. A fork-join pool, so that a front end's own parallel stream (its
     * windows side by side) runs on these same threads instead of the common pool's: with a fixed pool both ran,
     * and a 2-core machine had 2 + 1 threads computing features.
     */
    static ExecutorService workers(int jobs) {
        AtomicInteger threadNo = new AtomicInteger();
        return new java.util.concurrent.ForkJoinPool(jobs, p -> {
            java.util.concurrent.ForkJoinWorkerThread t =
                    java.util.concurrent.ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("tempered-prepare-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    private void pipeline(EnsembleModel model, List<Work> work) {
        if (work.isEmpty()) {
            return;
        }
        int jobs = request.jobs() > 0 ? request.jobs() : Runtime.getRuntime().availableProcessors();
        ExecutorService pool = workers(jobs);
        CompletionService<AnalysisEngine.Prepared> cs = new ExecutorCompletionService<>(pool);
        Map<Future<AnalysisEngine.Prepared>, Work> inFlight = new LinkedHashMap<>();
        // Prepared files are small (features only), so a deep queue costs little and keeps the workers fed.
        int limit = Math.max(BATCH_FILES, jobs * 4);
        int next = 0;
        List<AnalysisEngine.Prepared> batch = new ArrayList<>();
        Map<Path, Work> batchWork = new LinkedHashMap<>();
        boolean stopping = false;
        try {
            while (true) {
                if (!stopping && listener.isCancelled()) {
                    stopping = true;
                    // Queued files stay untouched; the ones being decoded now finish and are written whole.
                    inFlight.keySet().forEach(f -> f.cancel(false));
                }
                while (!stopping && next < work.size() && inFlight.size() < limit) {
                    Work w = work.get(next++);
                    inFlight.put(cs.submit(() -> engine.prepare(w.file(), spec)), w);
                }
                if (inFlight.isEmpty()) {
                    break;
                }
                Future<AnalysisEngine.Prepared> f = cs.poll(250, TimeUnit.MILLISECONDS);
                while (f != null) {
                    Work w = inFlight.remove(f);
                    collect(f, w, batch, batchWork);
                    f = cs.poll();
                }
                boolean more = !stopping && next < work.size();
                if (batch.size() >= BATCH_FILES || (!batch.isEmpty() && (!more || stopping || inFlight.size() < jobs))) {
                    flush(model, batch, batchWork);
                }
                progress(false);
            }
            if (!batch.isEmpty()) {
                flush(model, batch, batchWork);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pool.shutdownNow();
        }
    }

    private void collect(Future<AnalysisEngine.Prepared> f, Work w, List<AnalysisEngine.Prepared> batch,
            Map<Path, Work> batchWork) throws InterruptedException {
        try {
            AnalysisEngine.Prepared p = f.get();
            addStage("decode", p.decodeNanos());
            addStage("features", p.featuresNanos());
            batch.add(p);
            batchWork.put(p.file(), w);
        } catch (CancellationException e) {
            // Never started: the file is untouched and will be analysed by the next run.
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String m = c instanceof TemperedException te ? stripFile(te.getMessage(), w.file()) : String.valueOf(c);
            fail(w.file(), w, m, 0);
        }
    }

    private void flush(EnsembleModel model, List<AnalysisEngine.Prepared> batch, Map<Path, Work> batchWork) {
        long i0 = System.nanoTime();
        List<AnalysisEngine.Result> results = engine.infer(model, batch, temperature);
        addStage("inference", System.nanoTime() - i0);
        for (int i = 0; i < results.size(); i++) {
            AnalysisEngine.Result r = results.get(i);
            Work w = batchWork.get(r.file());
            if (!r.ok()) {
                fail(r.file(), w, stripFile(r.failure().getMessage(), r.file()), batch.get(i).decodedSeconds());
                continue;
            }
            TrackAnalysis a = r.analysis();
            analysed++;
            finish(w, a.prediction(), r.logits(), Status.ANALYSED,
                    a.audio() == null ? batch.get(i).decodedSeconds() : a.audio().durationSeconds(),
                    batch.get(i).sufficiency().problem().orElse(null));
            audioSeconds += batch.get(i).decodedSeconds();
        }
        batch.clear();
        batchWork.clear();
    }

    /**
     * Decides, writes (unless dry run) and commits one file's row.
     *
     * @param insufficient why the audio cannot carry a genre (too short, silent), or null when it can
     */
    private void finish(Work w, GenrePrediction p, double[][][] logits, Status status, double duration,
            String insufficient) {
        Path f = w.file();
        TagPlan.Decision decision;
        boolean wrote = false;
        Instant writtenAt = null;
        String message = "";
        long size = w.attrs().size();
        Instant modified = w.attrs().lastModifiedTime().toInstant();
        String hash = w.hash() != null ? w.hash() : w.row() != null ? w.row().entry().contentHash() : "";
        String before = null;
        String after = null;
        String suggestion = policy.genreNames().name(p.topLabel());
        long s0 = System.nanoTime();
        try {
            String outside = insufficient == null ? outsideTaxonomy(p, spec) : null;
            if (writer == null || !writer.supports(f)) {
                decision = insufficient != null ? insufficientDecision(policy) : decide(p, policy);
                if (outside != null && decision == TagPlan.Decision.WRITE) {
                    decision = insufficientDecision(policy);
                }
                message = insufficient != null ? insufficient
                        : writer == null ? "no tag writer installed" : "format not writable";
            } else {
                // A dry run only previews: the writer then need not read the whole file to guard a write.
                TagPlan plan = request.dryRun() ? writer.preview(f, p, policy) : writer.plan(f, p, policy);
                if (insufficient != null) {
                    plan = insufficientPlan(plan, p, insufficient);
                } else if (outside != null && plan.decision() == TagPlan.Decision.WRITE) {
                    plan = outsidePlan(plan, outside);
                } else {
                    outside = null;
                }
                decision = plan.decision();
                message = plan.reason();
                before = plan.previous().get(TagFields.GENRE);
                after = plan.genres().isEmpty() ? before : String.join("; ", plan.genres());
                if (!request.dryRun() && decision != TagPlan.Decision.SKIP) {
                    TagResult result = writer.apply(plan);
                    wrote = result.written();
                    // The reason a confident track waits is what the librarian needs to read, not "written".
                    message = outside != null && wrote ? outside : result.message();
                    if (wrote) {
                        writtenAt = Instant.now();
                        // The write changed the file; the index must know it as it is now, or the next run
                        // would take our own tags for a change and analyse it again.
                        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                        size = a.size();
                        modified = a.lastModifiedTime().toInstant();
                        hash = ContentHash.of(f);
                    }
                }
            }
        } catch (TagException | IOException | RuntimeException e) {
            addStage("write", System.nanoTime() - s0);
            String m = "tag write failed: " + stripFile(e.getMessage(), f);
            failures.put(f, m);
            LibraryEntry e1 = entry(w, p, logits, size, modified, hash, duration, insufficient != null
                    ? insufficientDecision(policy) : decide(p, policy), false, null, Status.FAILED,
                    insufficient != null ? m + " (" + insufficient + ")" : m, before, before, suggestion);
            put(new LibraryIndex.Row(e1, logits));
            done++;
            current = f;
            entries.add(e1);
            listener.fileDone(e1);
            return;
        }
        addStage("write", System.nanoTime() - s0);
        if (wrote) {
            written++;
        }
        if (decision != TagPlan.Decision.WRITE) {
            review++;
        }
        boolean everWritten = wrote || (w.row() != null && w.row().entry().written() && status == Status.UNCHANGED);
        LibraryEntry e = entry(w, p, logits != null ? logits : w.row() == null ? null : w.row().logits(), size,
                modified, hash, duration, decision, everWritten, wrote ? writtenAt
                        : everWritten ? w.row().entry().writtenAt() : null, status, message, before, after, suggestion);
        put(new LibraryIndex.Row(e, logits != null ? logits : w.row() == null ? null : w.row().logits()));
        done++;
        current = f;
        entries.add(e);
        listener.fileDone(e);
    }

    private LibraryEntry entry(Work w, GenrePrediction p, double[][][] logits, long size, Instant modified,
            String hash, double duration, TagPlan.Decision decision, boolean wrote, Instant writtenAt, Status status,
            String message, String before, String after, String suggestion) {
        return new LibraryEntry(w.file(), size, modified, hash, duration, p.model(), p.temperature(), p.labels(),
                p.probabilities(), p.topLabel(), p.confidence(), p.entropy(), p.mutualInformation(), decision, wrote,
                writtenAt, w.truth(), status, message, before, after, suggestion);
    }

    /** Too little or silent audio is never given a genre: review where the policy marks, else skip. */
    static TagPlan.Decision insufficientDecision(TagPolicy policy) {
        return policy.belowThreshold() == TagPolicy.BelowThreshold.REVIEW ? TagPlan.Decision.REVIEW
                : TagPlan.Decision.SKIP;
    }

    /**
     * The writer's plan turned into the review mark for audio that cannot carry a genre: no genre, the status and
     * the model, and no confidence or distribution (the model's numbers about silence mean nothing, so earlier
     * ones are removed rather than left to contradict the mark).
     */
    private TagPlan insufficientPlan(TagPlan plan, GenrePrediction p, String reason) {
        TagPlan.Decision d = insufficientDecision(policy);
        Map<String, String> fields = new LinkedHashMap<>();
        if (d == TagPlan.Decision.REVIEW) {
            fields.put(TagFields.STATUS, "review");
            fields.put(TagFields.MODEL, p.attribution());
            for (String stale : List.of(TagFields.CONFIDENCE, TagFields.DISTRIBUTION)) {
                if (plan.previous().containsKey(stale)) {
                    fields.put(stale, "");
                }
            }
        }
        return new TagPlan(plan.file(), d, List.of(), fields, plan.previous(), reason);
    }

    /**
     * Why the track looks unlike the model's training data, or null: its predictive entropy is above the limit the
     * package declares ({@code provenance.outsideTaxonomy.maxEntropy} in model.json, measured on music outside
     * the taxonomy: docs/benchmarks/outside-taxonomy.md). Calibration cannot catch what the model does not know;
     * such a track gets our suggestion in our own fields and waits for a person, not a genre.
     */
    static String outsideTaxonomy(GenrePrediction p, ModelSpec spec) {
        if (spec == null || !(spec.provenance().get("outsideTaxonomy") instanceof Map<?, ?> m)
                || !(m.get("maxEntropy") instanceof Number limit) || !Double.isFinite(p.entropy())) {
            return null;
        }
        double max = limit.doubleValue();
        return p.entropy() > max ? String.format(java.util.Locale.ROOT, "unlike the training data (outside the "
                + "taxonomy?): entropy %.3f nats > %.3f, the model's limit; suggestion %s kept in our fields for "
                + "review, genre left alone", p.entropy(), max, p.topLabel()) : null;
    }

    /** A confident plan for a track outside the taxonomy turned into a review: our fields, no genre. */
    private static TagPlan outsidePlan(TagPlan plan, String reason) {
        Map<String, String> fields = new LinkedHashMap<>(plan.fields());
        fields.put(TagFields.STATUS, "review");
        return new TagPlan(plan.file(), TagPlan.Decision.REVIEW, List.of(), fields, plan.previous(), reason);
    }

    static TagPlan.Decision decide(GenrePrediction p, TagPolicy policy) {
        return policy.decide(p.confidence());
    }

    private void fail(Path f, Work w, String message, double seconds) {
        failures.put(f, message);
        LOG.debug("{}: {}", f, message);
        BasicFileAttributes a = w == null ? null : w.attrs();
        LibraryEntry e = new LibraryEntry(f, a == null ? -1 : a.size(),
                a == null ? Instant.EPOCH : a.lastModifiedTime().toInstant(), w == null || w.hash() == null ? ""
                        : w.hash(), Double.NaN, null, Double.NaN, List.of(), new double[0], null, Double.NaN,
                Double.NaN, Double.NaN, null, false, null, w == null ? null : w.truth(), Status.FAILED, message);
        if (w != null) {
            put(new LibraryIndex.Row(e, null));
        }
        done++;
        current = f;
        entries.add(e);
        listener.fileDone(e);
    }

    private void put(LibraryIndex.Row row) {
        long s0 = System.nanoTime();
        try {
            index.put(row);
        } catch (SQLException e) {
            warnings.add("could not record " + row.entry().file() + " in the index: " + e.getMessage());
        }
        addStage("index", System.nanoTime() - s0);
    }

    private static String stripFile(String message, Path file) {
        String prefix = file + ": ";
        return message != null && message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    private void progress(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastProgress < PROGRESS_EVERY_NANOS) {
            return;
        }
        lastProgress = now;
        try {
            listener.progress(new TagJobProgress(phase, found, toAnalyse, done, failures.size(), audioSeconds,
                    now - t0, current));
        } catch (RuntimeException e) {
            LOG.warn("progress listener failed", e);
        }
    }

    ModelRef model() {
        return spec.ref();
    }

    void finishPhase() {
        phase = Phase.DONE;
        progress(true);
    }
}
