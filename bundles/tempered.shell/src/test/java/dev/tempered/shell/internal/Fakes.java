package dev.tempered.shell.internal;

import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import dev.tempered.api.tag.TagWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Hand-written stand-ins for the other bundles' services, small enough to reason about in a test. */
final class Fakes {
    static final List<String> LABELS = List.of("blues", "classical", "hiphop");

    private Fakes() {
    }

    static ModelSpec spec(String id, String version, double defaultT) {
        return new ModelSpec(new ModelRef(id, version), "genre", "Model " + id, LABELS, 22050, "fake-frontend",
                new ModelSpec.Windowing(10, 3, "mean-probability"), "x", List.of(-1L, 2L), "y", 2, 0, defaultT,
                Map.of());
    }

    /** A repository whose packages the test installs and removes by hand; it tells one listener about changes. */
    static final class Repository implements ModelRepository {
        final List<ModelSpec> installed = new CopyOnWriteArrayList<>();
        volatile ModelSpec active;
        volatile Runnable onChange = () -> { };
        /** Logits per model id: {@code [members][classes]} for every window. */
        final Map<String, double[][]> logits = new ConcurrentHashMap<>();

        void add(ModelSpec s) {
            installed.add(s);
            if (active == null) {
                active = s;
            }
            onChange.run();
        }

        @Override
        public List<ModelSpec> installed() {
            return List.copyOf(installed);
        }

        @Override
        public Optional<ModelSpec> active(String task) {
            return Optional.ofNullable(active).filter(s -> s.task().equals(task));
        }

        @Override
        public ModelLease lease(String task) throws InferenceException {
            ModelSpec s = active(task).orElseThrow(() -> new InferenceException("no active model", null));
            return lease(s);
        }

        @Override
        public ModelLease lease(String id, String version) throws InferenceException {
            for (ModelSpec s : installed) {
                if (s.ref().id().equals(id) && (version == null || s.ref().version().equals(version))) {
                    return lease(s);
                }
            }
            throw new InferenceException("no model " + id, null);
        }

        private ModelLease lease(ModelSpec s) {
            EnsembleModel model = new EnsembleModel() {
                @Override
                public ModelSpec spec() {
                    return s;
                }

                @Override
                public EnsembleOutput run(float[][] inputs) {
                    double[][] z = logits.get(s.ref().id());
                    int members = z.length;
                    int classes = z[0].length;
                    float[] out = new float[inputs.length * members * classes];
                    for (int b = 0; b < inputs.length; b++) {
                        for (int m = 0; m < members; m++) {
                            for (int c = 0; c < classes; c++) {
                                // The input shifts the logits so that windows differ.
                                out[(b * members + m) * classes + c] = (float) (z[m][c] + inputs[b][0] * c);
                            }
                        }
                    }
                    return new EnsembleOutput(s.ref(), inputs.length, members, classes, out);
                }
            };
            return new ModelLease() {
                @Override
                public EnsembleModel model() {
                    return model;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public ModelSpec install(Path pkg) throws ModelPackageException {
            throw new ModelPackageException(pkg, "not in this fake");
        }

        @Override
        public boolean uninstall(ModelRef ref) {
            boolean removed = installed.removeIf(s -> s.ref().equals(ref));
            if (active != null && active.ref().equals(ref)) {
                active = installed.isEmpty() ? null : installed.get(0);
            }
            onChange.run();
            return removed;
        }

        @Override
        public ModelSpec activate(String id, String version) throws InferenceException {
            for (ModelSpec s : installed) {
                if (s.ref().id().equals(id) && (version == null || s.ref().version().equals(version))) {
                    active = s;
                    onChange.run();
                    return s;
                }
            }
            throw new InferenceException("no model " + id, null);
        }
    }

    /** Temperatures in a map; the calibrator below reads them at once, as the real one does after ConfigAdmin. */
    static final class Store implements TemperatureSettings {
        final Map<ModelRef, Double> temperatures = new ConcurrentHashMap<>();
        final Map<ModelRef, String> fittedOn = new ConcurrentHashMap<>();
        final Map<ModelRef, Double> minConfidence = new ConcurrentHashMap<>();

        @Override
        public void setTemperature(ModelRef model, double temperature, String fitted) {
            temperatures.put(model, temperature);
            fittedOn.put(model, fitted);
        }

        @Override
        public boolean reset(ModelRef model) {
            return temperatures.remove(model) != null;
        }

        @Override
        public OptionalDouble minConfidence(ModelRef model) {
            Double d = minConfidence.get(model);
            return d == null ? OptionalDouble.empty() : OptionalDouble.of(d);
        }

        @Override
        public OptionalDouble previousTemperature(ModelRef model) {
            return OptionalDouble.empty();
        }
    }

    /** MEMBER_T softmax averaging; {@link #fit} records its data and answers a fixed T. */
    static final class TemperatureCalibrator implements Calibrator {
        final Store store;
        final List<LabelledLogits> fitted = new CopyOnWriteArrayList<>();
        volatile double fitResult = 1.7;

        TemperatureCalibrator(Store store) {
            this.store = store;
        }

        @Override
        public double temperature(ModelRef model, double packageDefault) {
            return store.temperatures.getOrDefault(model, packageDefault);
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault) {
            return apply(output, row, labels, packageDefault, temperature(output.model(), packageDefault));
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault,
                double temperature) {
            return predict(output.model(), output.row(row), labels, temperature);
        }

        @Override
        public TemperatureFit fit(LabelledLogits data, CalibrationMethod method) {
            fitted.add(data);
            return new TemperatureFit(method, fitResult, List.of(fitResult), 1.2, 0.9, data.size());
        }
    }

    static GenrePrediction predict(ModelRef model, double[][] members, List<String> labels, double t) {
        double[] mean = new double[labels.size()];
        for (double[] z : members) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v / t);
            }
            double sum = 0;
            double[] e = new double[z.length];
            for (int c = 0; c < z.length; c++) {
                e[c] = Math.exp(z[c] / t - max);
                sum += e[c];
            }
            for (int c = 0; c < z.length; c++) {
                mean[c] += e[c] / sum / members.length;
            }
        }
        return GenrePrediction.of(model, t, labels, mean, 0.01);
    }

    /** Analyses with the repository's active model (or a named one) and the calibrator's temperature. */
    static final class Analyzer implements TrackAnalyzer {
        final Repository repository;
        final Calibrator calibrator;
        final Map<Path, String> broken = new HashMap<>();

        Analyzer(Repository repository, Calibrator calibrator) {
            this.repository = repository;
            this.calibrator = calibrator;
        }

        @Override
        public TrackAnalysis analyze(Path file, String modelId) throws TemperedException {
            if (broken.containsKey(file)) {
                throw new TemperedException(file, broken.get(file));
            }
            ModelSpec s = modelId == null ? repository.active("genre").orElseThrow()
                    : repository.installed().stream().filter(m -> m.ref().id().equals(modelId)).findFirst()
                            .orElseThrow();
            double t = calibrator.temperature(s.ref(), s.defaultTemperature());
            GenrePrediction p = predict(s.ref(), repository.logits.get(s.ref().id()), s.labels(), t);
            return new TrackAnalysis(file, null, p, List.of(p), new TrackAnalysis.Timings(0, 0, 0));
        }

        @Override
        public List<Outcome> analyzeAll(List<Path> files, String modelId) {
            List<Outcome> out = new ArrayList<>();
            for (Path f : files) {
                try {
                    out.add(new Outcome(f, analyze(f, modelId), null));
                } catch (TemperedException e) {
                    out.add(new Outcome(f, null, e));
                }
            }
            return out;
        }
    }

    /**
     * The collection service's labelled windows: every file whose genre (in {@link Tags#genres}) is exactly one of
     * the active model's labels gives {@link #WINDOWS} windows of the repository's logits; requests are recorded.
     */
    static final class Tagger implements dev.tempered.api.library.CollectionTagger {
        static final int WINDOWS = 3;
        final Repository repository;
        final Tags tags;
        final List<List<Path>> requests = new CopyOnWriteArrayList<>();
        final List<dev.tempered.api.library.TagJobRequest> jobs = new CopyOnWriteArrayList<>();
        /** What the fake job reports per file: its decision and confidence; files not here fail. */
        final Map<Path, Double> confidence = new ConcurrentHashMap<>();
        double threshold = 0.5;

        Tagger(Repository repository, Tags tags) {
            this.repository = repository;
            this.tags = tags;
        }

        @Override
        public dev.tempered.api.library.TagJobSummary tag(dev.tempered.api.library.TagJobRequest request,
                dev.tempered.api.library.TagJobListener listener) {
            jobs.add(request);
            ModelSpec s = repository.active("genre").orElseThrow();
            Map<Path, String> failures = new java.util.LinkedHashMap<>();
            int written = 0;
            boolean cancelled = false;
            for (Path f : request.roots()) {
                if (listener.isCancelled()) {
                    cancelled = true;
                    break;
                }
                Double c = confidence.get(f);
                if (c == null) {
                    failures.put(f, f + ": cannot decode");
                    continue;
                }
                TagPlan.Decision d = c >= threshold ? TagPlan.Decision.WRITE : TagPlan.Decision.REVIEW;
                written += d == TagPlan.Decision.WRITE ? 1 : 0;
                double[] p = {c, (1 - c) / 2, (1 - c) / 2};
                listener.fileDone(new dev.tempered.api.library.LibraryEntry(f, 1, java.time.Instant.EPOCH, "h", 30,
                        s.ref(), 1.5, s.labels(), p, s.labels().get(0), c, 0.5, 0.01, d, d == TagPlan.Decision.WRITE,
                        null, null, dev.tempered.api.library.LibraryEntry.Status.ANALYSED, null, null, null, null));
            }
            return new dev.tempered.api.library.TagJobSummary(s.ref(), 1.5, false, cancelled, request.roots().size(),
                    request.roots().size() - failures.size(), 0, 0, failures.size(), written, 0, Map.of(), failures,
                    0, 0, Map.of(), Map.of(), Map.of(), Path.of("index"), List.of(), List.of());
        }

        @Override
        public dev.tempered.api.library.TagJobSummary apply(Path table, dev.tempered.api.library.TagJobRequest request,
                dev.tempered.api.library.TagJobListener listener) {
            throw new UnsupportedOperationException("not used by these tests");
        }

        @Override
        public List<dev.tempered.api.tag.TagResult> undo(List<Path> roots,
                dev.tempered.api.library.TagJobListener listener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public LabelledLogits labelled(List<Path> roots, String modelId, dev.tempered.api.library.LabelSource source,
                Path labelMapping, dev.tempered.api.library.TagJobListener listener) throws TemperedException {
            requests.add(roots);
            ModelSpec s = repository.active("genre").orElseThrow();
            List<double[][]> rows = new ArrayList<>();
            List<Integer> truth = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (Path f : roots) {
                int t = s.labels().indexOf(String.valueOf(tags.genres.get(f)).toLowerCase(java.util.Locale.ROOT));
                for (int w = 0; t >= 0 && w < WINDOWS; w++) {
                    rows.add(repository.logits.get(s.ref().id()));
                    truth.add(t);
                    names.add(f.toString());
                }
            }
            if (rows.isEmpty()) {
                throw new TemperedException(null, "no analysed file under " + roots + " has a label from its tags");
            }
            return new LabelledLogits(s.labels(), rows.toArray(double[][][]::new),
                    truth.stream().mapToInt(Integer::intValue).toArray(), names);
        }

        @Override
        public List<dev.tempered.api.library.LibraryEntry> entries(List<Path> roots) {
            return List.of();
        }
    }

    /** Genre tags in a map; plans follow the policy threshold; applied plans are recorded. */
    static final class Tags implements TagWriter {
        final Map<Path, String> genres = new ConcurrentHashMap<>();
        final List<TagPlan> applied = new CopyOnWriteArrayList<>();
        final List<TagPolicy> policies = new CopyOnWriteArrayList<>();

        @Override
        public boolean supports(Path file) {
            return true;
        }

        @Override
        public TagPlan plan(Path file, GenrePrediction prediction, TagPolicy policy) {
            policies.add(policy);
            boolean write = prediction.confidence() >= policy.threshold();
            return new TagPlan(file, write ? TagPlan.Decision.WRITE : TagPlan.Decision.REVIEW,
                    write ? List.of(prediction.topLabel()) : List.of(), Map.of(), Map.of(),
                    write ? "confident" : "below threshold");
        }

        @Override
        public TagResult apply(TagPlan plan) {
            applied.add(plan);
            return new TagResult(plan.file(), plan, true, "ok");
        }

        @Override
        public Map<String, String> read(Path file) throws TagException {
            String g = genres.get(file);
            return g == null ? Map.of() : Map.of("GENRE", g);
        }
    }

    /** Every file lasts {@code seconds}; each decoded window holds its start time as its only sample. */
    static final class Loader implements AudioLoader {
        final double seconds;
        final List<DecodeRequest> requests = new CopyOnWriteArrayList<>();

        Loader(double seconds) {
            this.seconds = seconds;
        }

        @Override
        public AudioInfo probe(Path file) {
            return new AudioInfo(file, "wav", "pcm_s16le", 22050, 1, (long) (seconds * 22050), seconds, "fake");
        }

        @Override
        public DecodedAudio load(Path file, DecodeRequest request) {
            requests.add(request);
            List<DecodedAudio.Segment> segs = new ArrayList<>();
            List<DecodeRequest.TimeRange> ranges = request.windows().isEmpty()
                    ? List.of(new DecodeRequest.TimeRange(0, seconds)) : request.windows();
            for (DecodeRequest.TimeRange r : ranges) {
                segs.add(new DecodedAudio.Segment(r.startSeconds(), new float[] {(float) (r.startSeconds() / 100)}));
            }
            return new DecodedAudio(probe(file), request.sampleRate(), 1, segs);
        }

        @Override
        public boolean isAudio(Path file) {
            return true;
        }
    }

    /** One feature per segment: its first sample. */
    static final class Features implements FrontEnd {
        @Override
        public String type() {
            return "fake-frontend";
        }

        @Override
        public int sampleRate() {
            return 22050;
        }

        @Override
        public List<String> featureNames() {
            return List.of("first");
        }

        @Override
        public float[][] compute(DecodedAudio audio) {
            float[][] out = new float[audio.segments().size()][];
            for (int i = 0; i < out.length; i++) {
                out[i] = new float[] {audio.segments().get(i).samples()[0]};
            }
            return out;
        }
    }

    /** Only what the reliability action asks: accuracy and a plain equal-width diagram. */
    static final class Metrics implements CalibrationMetrics {
        @Override
        public double compute(Metric metric, double[][] p, int[] truth, int bins) {
            int correct = 0;
            for (int i = 0; i < p.length; i++) {
                int top = 0;
                for (int c = 1; c < p[i].length; c++) {
                    top = p[i][c] > p[i][top] ? c : top;
                }
                correct += top == truth[i] ? 1 : 0;
            }
            return metric == Metric.ACCURACY ? correct / (double) p.length : 0.123;
        }

        @Override
        public Map<Metric, MetricValue> evaluate(double[][] p, int[] truth, int bins, int resamples, double level,
                long seed) {
            return Map.of();
        }

        @Override
        public ReliabilityDiagram reliability(double[][] p, int[] truth, int bins) {
            int[] n = new int[bins];
            double[] acc = new double[bins];
            double[] conf = new double[bins];
            for (int i = 0; i < p.length; i++) {
                int top = 0;
                for (int c = 1; c < p[i].length; c++) {
                    top = p[i][c] > p[i][top] ? c : top;
                }
                int b = Math.min(bins - 1, (int) (p[i][top] * bins));
                n[b]++;
                acc[b] += top == truth[i] ? 1 : 0;
                conf[b] += p[i][top];
            }
            List<ReliabilityDiagram.Bin> out = new ArrayList<>();
            for (int b = 0; b < bins; b++) {
                out.add(new ReliabilityDiagram.Bin(b / (double) bins, (b + 1) / (double) bins, n[b],
                        n[b] == 0 ? Double.NaN : acc[b] / n[b], n[b] == 0 ? Double.NaN : conf[b] / n[b]));
            }
            return new ReliabilityDiagram(out);
        }
    }

    /** Records progress; cancels once {@code cancelAfter} progress calls were made. */
    static final class Monitor implements dev.tempered.api.plugin.ProgressMonitor {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final int cancelAfter;

        Monitor(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void progress(int done, int total, String message) {
            messages.add(done + "/" + total + " " + message);
        }

        @Override
        public boolean isCancelled() {
            return messages.size() >= cancelAfter;
        }
    }
}
