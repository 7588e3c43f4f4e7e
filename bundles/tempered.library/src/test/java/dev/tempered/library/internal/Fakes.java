package dev.tempered.library.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hand-written stand-ins for the services the library consumes. The "audio" files are text files whose content
 * is {@code seconds,level}: the loader returns a constant signal of that level, the front end returns the
 * level as its one feature, and the model puts logit {@code level * 10} on class {@code (int) level % 3}.
 */
final class Fakes {
    static final List<String> LABELS = List.of("blues", "classical", "rock");
    static final ModelSpec SPEC = spec("fake", "1.0.0", 1.5);

    private Fakes() {
    }

    static ModelSpec spec(String id, String version, double t) {
        return new ModelSpec(new ModelRef(id, version), "genre", "fake model", LABELS, 8000, "fake",
                new ModelSpec.Windowing(30, 3, "mean-probability"), "x", List.of(-1L, 1L), "y", 2, 0, t, Map.of());
    }

    static Path track(Path dir, String name, double seconds, double level) throws Exception {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "FAKEAUDIO " + seconds + "," + level);
        return p;
    }

    static final class Loader implements AudioLoader {
        final List<DecodeRequest> requests = Collections.synchronizedList(new ArrayList<>());

        @Override
        public AudioInfo probe(Path file) throws AudioException {
            double[] v = read(file);
            return new AudioInfo(file, "fake", "fake", 44100, 2, (long) (v[0] * 44100), v[0], "fake");
        }

        @Override
        public DecodedAudio load(Path file, DecodeRequest request) throws AudioException {
            requests.add(request);
            double[] v = read(file);
            if (v.length > 2 && v[2] == 1) {
                // What a crafted file does to a real decoder: asks for more than the heap holds.
                throw new OutOfMemoryError("Java heap space");
            }
            int rate = request.sampleRate();
            List<DecodedAudio.Segment> segs = new ArrayList<>();
            if (request.windows().isEmpty()) {
                segs.add(new DecodedAudio.Segment(0, fill((int) (v[0] * rate), (float) v[1])));
            } else {
                for (DecodeRequest.TimeRange r : request.windows()) {
                    segs.add(new DecodedAudio.Segment(r.startSeconds(), fill((int) (r.durationSeconds() * rate),
                            (float) v[1])));
                }
            }
            return new DecodedAudio(probe(file), rate, 1, segs);
        }

        @Override
        public boolean isAudio(Path file) {
            try {
                return Files.isRegularFile(file) && Files.readString(file).startsWith("FAKEAUDIO ");
            } catch (Exception e) {
                return false;
            }
        }

        private static float[] fill(int n, float level) {
            float[] a = new float[Math.max(1, n)];
            java.util.Arrays.fill(a, level);
            return a;
        }

        private static double[] read(Path file) throws AudioException {
            try {
                String s = Files.readString(file);
                if (!s.startsWith("FAKEAUDIO ")) {
                    throw new CorruptAudioException(file, "not fake audio");
                }
                String[] parts = s.substring(10).lines().findFirst().orElse("").trim().split(",");
                return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]),
                    parts.length > 2 && parts[2].equals("oom") ? 1 : 0};
            } catch (java.io.IOException e) {
                throw new CorruptAudioException(file, e.toString());
            }
        }
    }

    static class Front implements FrontEnd {
        @Override
        public String type() {
            return "fake";
        }

        @Override
        public int sampleRate() {
            return 8000;
        }

        @Override
        public List<String> featureNames() {
            return List.of("level");
        }

        @Override
        public float[][] compute(DecodedAudio audio) {
            float[][] out = new float[audio.segments().size()][];
            for (int i = 0; i < out.length; i++) {
                float[] s = audio.segments().get(i).samples();
                out[i] = new float[] {s[0]};
            }
            return out;
        }
    }

    static final class Model implements EnsembleModel, ModelLease {
        final ModelSpec spec;
        final AtomicInteger runs = new AtomicInteger();
        final AtomicInteger rowsSeen = new AtomicInteger();

        Model(ModelSpec spec) {
            this.spec = spec;
        }

        @Override
        public ModelSpec spec() {
            return spec;
        }

        @Override
        public EnsembleOutput run(float[][] inputs) throws InferenceException {
            runs.incrementAndGet();
            rowsSeen.addAndGet(inputs.length);
            int members = spec.members();
            int classes = spec.labels().size();
            float[] logits = new float[inputs.length * members * classes];
            for (int r = 0; r < inputs.length; r++) {
                float level = inputs[r][0];
                if (level < 0) {
                    throw new InferenceException("negative level", null);
                }
                for (int m = 0; m < members; m++) {
                    // Members disagree a little: the second one favours the next class a bit.
                    logits[(r * members + m) * classes + ((int) level) % classes] = level * 10;
                    logits[(r * members + m) * classes + ((int) level + m) % classes] += 1;
                }
            }
            return new EnsembleOutput(spec.ref(), inputs.length, members, classes, logits);
        }

        @Override
        public EnsembleModel model() {
            return this;
        }

        @Override
        public void close() {
        }
    }

    static final class Repository implements ModelRepository {
        final List<Model> models = new ArrayList<>();
        final AtomicInteger leases = new AtomicInteger();

        Repository(Model... ms) {
            models.addAll(List.of(ms));
        }

        @Override
        public List<ModelSpec> installed() {
            return models.stream().map(Model::spec).toList();
        }

        @Override
        public Optional<ModelSpec> active(String task) {
            return models.isEmpty() ? Optional.empty() : Optional.of(models.get(0).spec);
        }

        @Override
        public ModelLease lease(String task) throws InferenceException {
            if (models.isEmpty()) {
                throw new InferenceException("no model active for " + task, null);
            }
            leases.incrementAndGet();
            return models.get(0);
        }

        @Override
        public ModelLease lease(String id, String version) throws InferenceException {
            leases.incrementAndGet();
            return models.stream().filter(m -> m.spec.ref().id().equals(id)).findFirst()
                    .orElseThrow(() -> new InferenceException("no model " + id, null));
        }

        @Override
        public ModelSpec install(Path pkg) throws ModelPackageException {
            throw new ModelPackageException(pkg, "not in the fake");
        }

        @Override
        public boolean uninstall(ModelRef ref) {
            return false;
        }

        @Override
        public ModelSpec activate(String id, String version) throws InferenceException {
            throw new InferenceException("not in the fake", null);
        }
    }

    /**
     * Writes "tags" as lines {@code NAME=value} after the fake file's first line (replacing earlier ones), through a
     * temporary file and an atomic rename like the real writer. Plans with the policy as the real writer does (the
     * genre decision is {@link dev.tempered.api.tag.TagPolicy#genre}); it has no journal, so it never sees a person's
     * edit.
     */
    static final class Writer implements dev.tempered.api.tag.TagWriter {
        final AtomicInteger applied = new AtomicInteger();
        /** Files whose next write fails, as a full disk would make it. */
        final java.util.Set<String> failNext = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public boolean supports(Path file) {
            return true;
        }

        @Override
        public dev.tempered.api.tag.TagPlan plan(Path file, GenrePrediction p, dev.tempered.api.tag.TagPolicy policy)
                throws dev.tempered.api.tag.TagException {
            Map<String, String> now = read(file);
            if ("rejected".equals(now.get("TEMPERED_STATUS"))) {
                return new dev.tempered.api.tag.TagPlan(file, dev.tempered.api.tag.TagPlan.Decision.SKIP, List.of(),
                        Map.of(), now, "rejected");
            }
            dev.tempered.api.tag.TagPlan.Decision d = TagJob.decide(p, policy);
            Map<String, String> fields = new java.util.LinkedHashMap<>(Map.of("TEMPERED_MODEL", p.attribution(),
                    "TEMPERED_GENRE", policy.genreNames().name(p.topLabel()), "TEMPERED_CONFIDENCE",
                    String.format(java.util.Locale.ROOT, "%.4f", p.confidence())));
            List<String> genres = List.of();
            String reason = "confidence " + p.confidence();
            if (d == dev.tempered.api.tag.TagPlan.Decision.WRITE) {
                String g = now.get("GENRE");
                var o = policy.genre(g == null || g.isEmpty() ? List.of() : List.of(g), p.topLabel(), false);
                genres = o.genres();
                reason += ": " + o.reason();
                if (o.conflict()) {
                    d = dev.tempered.api.tag.TagPlan.Decision.REVIEW;
                }
            }
            fields.put("TEMPERED_STATUS", d == dev.tempered.api.tag.TagPlan.Decision.REVIEW ? "review" : "");
            if (d == dev.tempered.api.tag.TagPlan.Decision.SKIP) {
                fields.clear();
            }
            return new dev.tempered.api.tag.TagPlan(file, d, genres, fields, now, reason);
        }

        @Override
        public dev.tempered.api.tag.TagPlan planEdit(Path file, List<String> genres, Map<String, String> fields,
                String reason, boolean preserveModified) throws dev.tempered.api.tag.TagException {
            return new dev.tempered.api.tag.TagPlan(file, dev.tempered.api.tag.TagPlan.Decision.WRITE, genres, fields,
                    read(file), reason);
        }

        @Override
        public dev.tempered.api.tag.TagResult apply(dev.tempered.api.tag.TagPlan plan)
                throws dev.tempered.api.tag.TagException {
            if (plan.decision() == dev.tempered.api.tag.TagPlan.Decision.SKIP) {
                return new dev.tempered.api.tag.TagResult(plan.file(), plan, false, "skipped");
            }
            if (failNext.remove(plan.file().getFileName().toString())) {
                throw new dev.tempered.api.tag.TagException(plan.file(), "disk full (simulated)");
            }
            try {
                Map<String, String> tags = new java.util.TreeMap<>(read(plan.file()));
                if (!plan.genres().isEmpty()) {
                    tags.put("GENRE", String.join("; ", plan.genres()));
                }
                plan.fields().forEach((k, v) -> {
                    if (v.isEmpty()) {
                        tags.remove(k);
                    } else {
                        tags.put(k, v);
                    }
                });
                StringBuilder body = new StringBuilder(Files.readString(plan.file()).lines().findFirst().orElse(""));
                tags.forEach((k, v) -> body.append('\n').append(k).append('=').append(v));
                Path tmp = plan.file().resolveSibling(plan.file().getFileName() + ".tmp");
                Files.writeString(tmp, body.append('\n'));
                Files.move(tmp, plan.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                applied.incrementAndGet();
                return new dev.tempered.api.tag.TagResult(plan.file(), plan, true, "written");
            } catch (java.io.IOException e) {
                throw new dev.tempered.api.tag.TagException(plan.file(), e.toString());
            }
        }

        @Override
        public Map<String, String> read(Path file) throws dev.tempered.api.tag.TagException {
            try {
                Map<String, String> m = new java.util.HashMap<>();
                Files.readString(file).lines().skip(1).filter(l -> l.contains("="))
                        .forEach(l -> m.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
                return m;
            } catch (java.io.IOException e) {
                throw new dev.tempered.api.tag.TagException(file, e.toString());
            }
        }
    }

    /** Member softmax at T, averaged: the calibration engineer's MEMBER_T, written again plainly. */
    static final class Calib implements Calibrator {
        volatile double override = Double.NaN;
        /** The model's configured min.confidence, as a .cfg would give it; NaN for none. */
        volatile double minConfidence = Double.NaN;

        @Override
        public java.util.OptionalDouble minConfidence(ModelRef model) {
            return Double.isNaN(minConfidence) ? java.util.OptionalDouble.empty()
                    : java.util.OptionalDouble.of(minConfidence);
        }

        /** When set, every read of the configured temperature gives a new value, as a .cfg edited mid-job would. */
        volatile boolean drifting;
        private final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public double temperature(ModelRef model, double packageDefault) {
            if (drifting) {
                return 1.0 + reads.incrementAndGet();
            }
            return Double.isNaN(override) ? packageDefault : override;
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault) {
            return apply(output, row, labels, packageDefault, temperature(output.model(), packageDefault));
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault,
                double t) {
            double[][] z = output.row(row);
            double[] mean = new double[labels.size()];
            double memberH = 0;
            for (double[] m : z) {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : m) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                double[] p = new double[m.length];
                for (int c = 0; c < m.length; c++) {
                    p[c] = Math.exp((m[c] - max) / t);
                    sum += p[c];
                }
                for (int c = 0; c < m.length; c++) {
                    p[c] /= sum;
                    mean[c] += p[c] / z.length;
                    memberH -= p[c] > 0 ? p[c] * Math.log(p[c]) / z.length : 0;
                }
            }
            double h = 0;
            for (double v : mean) {
                h -= v > 0 ? v * Math.log(v) : 0;
            }
            return GenrePrediction.of(output.model(), t, labels, mean, h - memberH);
        }

        @Override
        public TemperatureFit fit(LabelledLogits data, CalibrationMethod method) {
            throw new UnsupportedOperationException();
        }
    }
}
