package dev.tempered.training.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.TemperedHome;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.tag.TagWriter;
import dev.tempered.api.training.ModelTrainer;
import dev.tempered.api.training.TrainingListener;
import dev.tempered.api.training.TrainingRequest;
import dev.tempered.api.training.TrainingResult;
import dev.tempered.training.internal.Splits.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link ModelTrainer} service: embeds through the track analyser, trains heads, calibrates, writes a package. */
@Component(service = ModelTrainer.class)
public final class TrainingService implements ModelTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingService.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Below this many tracks of a label a warning says the figures will be noisy. The calibration study fitted the
     * convnet's T on 16 clips per genre (GTZAN validation, 160 clips) and its test ECE still moved by a few
     * hundredths with one clip; 16 per label in each held-out part takes 80 tracks at the default 40 % holdout.
     */
    static final int RECOMMENDED_PER_HELD_OUT_PART = 16;
    /** Fewer tracks than this make no model: one per part at the least. */
    static final int MIN_TRACKS = 3;
    /** Tracks analysed per call, so that progress is reported and cancellation heard often. */
    private static final int EMBED_BATCH = 4;
    static final int BINS = 15;
    static final int RESAMPLES = 1000;

    private final TrackAnalyzer analyzer;
    private final ModelRepository models;
    private final Calibrator calibrator;
    private final CalibrationMetrics metrics;
    private final CalibrationCharts charts;
    private final Path home;
    private volatile TagWriter tags;

    @Activate
    public TrainingService(@Reference TrackAnalyzer analyzer, @Reference ModelRepository models,
            @Reference Calibrator calibrator, @Reference CalibrationMetrics metrics,
            @Reference CalibrationCharts charts, BundleContext context) {
        this(analyzer, models, calibrator, metrics, charts,
                TemperedHome.resolve(context.getProperty(TemperedHome.PROPERTY)));
    }

    /** For tests: everything under a given home folder. */
    public TrainingService(TrackAnalyzer analyzer, ModelRepository models, Calibrator calibrator,
            CalibrationMetrics metrics, CalibrationCharts charts, Path home) {
        this.analyzer = analyzer;
        this.models = models;
        this.calibrator = calibrator;
        this.metrics = metrics;
        this.charts = charts;
        this.home = home;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void setTags(TagWriter w) {
        tags = w;
    }

    public void unsetTags(TagWriter w) {
        if (tags == w) {
            tags = null;
        }
    }

    /** The watched folder a package goes to when the request names none. */
    Path modelsFolder() {
        return home.resolve("deploy").resolve("models");
    }

    /** The library index folder, whose database holds the embedding cache. */
    Path libraryFolder() {
        return home.resolve("library");
    }

    @Override
    public TrainingResult train(TrainingRequest request, TrainingListener listener) throws TemperedException {
        Path data = request.data().toAbsolutePath().normalize();
        if (!Files.isDirectory(data)) {
            throw new TemperedException(data, "not a folder of music (training needs a folder with --labels-from)");
        }
        List<String> warnings = new ArrayList<>();
        TrainingListener l = new TrainingListener() {
            @Override
            public void stage(String description) {
                listener.stage(description);
            }

            @Override
            public void embedded(int done, int total, Path file, boolean cached, Duration eta) {
                listener.embedded(done, total, file, cached, eta);
            }

            @Override
            public void warning(String message) {
                warnings.add(message);
                listener.warning(message);
            }

            @Override
            public boolean cancelled() {
                return listener.cancelled();
            }
        };
        // 1. Labels.
        Map<String, String> map = new TreeMap<>();
        request.labelsMap().forEach((k, v) -> map.put(k.strip().toLowerCase(Locale.ROOT), v.strip()));
        Corpus.Scan scan;
        try {
            scan = Corpus.scan(data, request.labelsFrom(), map, tags);
        } catch (IOException e) {
            throw new TemperedException(data, "cannot list the folder: " + e.getMessage(), e);
        }
        Map<Path, String> failures = new TreeMap<>(scan.unreadable());
        scan.unreadable().forEach((f, why) -> l.warning(data.relativize(f) + ": " + why));
        if (!scan.unmapped().isEmpty()) {
            l.warning("names not in the labels map, their tracks left out: " + scan.unmapped());
        }
        if (!scan.unlabelled().isEmpty()) {
            l.warning(scan.unlabelled().size() + " tracks have no label ("
                    + (request.labelsFrom() == dev.tempered.api.library.LabelSource.FOLDERS
                            ? "not inside a label folder under " + data : "no genre tag, or one Tempered wrote")
                    + "), left out, e.g. " + data.relativize(scan.unlabelled().get(0)));
        }
        List<Corpus.Track> tracks = scan.tracks();
        checkLabels(tracks, data);
        Backbone backbone = backbone(request.backbone());

        // 2. Embeddings, from the cache or through the backbone.
        long e0 = System.nanoTime();
        Map<Path, float[][]> vectors = new LinkedHashMap<>();
        int[] counts = embed(tracks, backbone, vectors, failures, l);
        double embedSeconds = (System.nanoTime() - e0) / 1e9;
        List<Corpus.Track> usable = tracks.stream().filter(t -> vectors.containsKey(t.file())).toList();
        checkLabels(usable, data);

        // 3. Split by album.
        long t0 = System.nanoTime();
        List<String> labels = new ArrayList<>(new TreeSet<>(usable.stream().map(Corpus.Track::label).toList()));
        int[] y = usable.stream().mapToInt(t -> labels.indexOf(t.label())).toArray();
        Part[] parts;
        try {
            parts = Splits.split(usable.stream().map(Corpus.Track::group).toList(), y, labels, request.holdout(),
                    request.seed());
        } catch (IllegalArgumentException e) {
            throw new TemperedException(data, e.getMessage() + ". Put each album in a folder of its own.");
        }
        Map<String, Integer> labelCounts = new TreeMap<>();
        for (Corpus.Track t : usable) {
            labelCounts.merge(t.label(), 1, Integer::sum);
        }
        int recommended = (int) Math.ceil(RECOMMENDED_PER_HELD_OUT_PART / (request.holdout() / 2));
        labelCounts.forEach((label, n) -> {
            if (n < recommended) {
                l.warning(String.format(Locale.ROOT, "'%s' has %d tracks; at least %d are recommended, so that each "
                        + "held-out part gets %d of it: the calibration study fitted T on %d clips per genre and its "
                        + "ECE still moved by a few hundredths with one clip. T and the figures below will be noisy.",
                        label, n, recommended, RECOMMENDED_PER_HELD_OUT_PART, RECOMMENDED_PER_HELD_OUT_PART));
            }
        });

        // 4. Rows per part: every analysis window of a track is a row with the track's label.
        Rows train = rows(usable, y, parts, Part.TRAIN, vectors);
        Rows cal = rows(usable, y, parts, Part.CALIBRATION, vectors);
        Rows test = rows(usable, y, parts, Part.TEST, vectors);
        int dims = train.x.get(0).length;
        float[] mean = new float[dims];
        float[] std = new float[dims];
        standardisation(train.x, mean, std);

        // 5. The deep ensemble, or the MC-dropout variant: one head trained with dropout.
        boolean mc = request.mcDropout();
        int trained = mc ? 1 : request.members();
        l.stage((mc ? "training 1 head with dropout " + TrainingRequest.MC_DROPOUT_RATE + " for "
                + request.mcPasses() + " MC passes" : "training " + request.members() + " heads") + " ("
                + request.hidden() + " hidden units, " + request.epochs() + " epochs) on " + train.x.size()
                + " windows of " + train.tracks.size() + " tracks");
        double[][] xs = standardised(train.x, mean, std);
        List<Mlp> heads = new ArrayList<>();
        List<Long> seeds = new ArrayList<>();
        Mlp.Settings settings = mc ? Mlp.Settings.of(request.epochs()).withDropout(TrainingRequest.MC_DROPOUT_RATE)
                : Mlp.Settings.of(request.epochs());
        for (int m = 0; m < trained; m++) {
            long seed = request.seed() * 1_000_003L + m;
            seeds.add(seed);
            Mlp h = new Mlp(dims, request.hidden(), labels.size(), seed);
            h.train(xs, train.y.stream().mapToInt(Integer::intValue).toArray(), settings, seed, l::cancelled);
            if (l.cancelled()) {
                throw new TemperedException(data, "training cancelled; nothing was written");
            }
            heads.add(h);
        }
        // MC masks for fitting T and measuring are drawn from the seed (the graph's own are unseeded).
        int passes = mc ? request.mcPasses() : 0;
        java.util.Random masks = new java.util.Random(request.seed() ^ 0x6D63L);

        // 6. T by NLL on the calibration part; metrics on the test part.
        LabelledLogits calLogits = logits(cal, heads, mean, std, labels, passes, masks);
        double temperature;
        try {
            temperature = calibrator.fit(calLogits, CalibrationMethod.MEMBER_T).temperature();
        } catch (CalibrationException e) {
            throw new TemperedException(data, "cannot fit the temperature on the calibration part: " + e.getMessage(),
                    e);
        }
        LabelledLogits testLogits = logits(test, heads, mean, std, labels, passes, masks);
        int[] truth = testLogits.truth();
        double[][] p1 = calibrator.probabilities(testLogits, 1.0);
        double[][] pT = calibrator.probabilities(testLogits, temperature);
        Map<Metric, MetricValue> before = metrics.evaluate(p1, truth, BINS, RESAMPLES, 0.95, request.seed());
        Map<Metric, MetricValue> after = metrics.evaluate(pT, truth, BINS, RESAMPLES, 0.95, request.seed());
        ReliabilityDiagram diagram = metrics.reliability(pT, truth, BINS);
        Optional<Path> png = Optional.empty();
        if (request.report().isPresent()) {
            Path file = request.report().get().resolve(request.id() + "-reliability.png");
            try {
                Files.createDirectories(file.getParent());
                charts.reliability(pT, truth, BINS, request.id() + " on its test part, T = "
                        + String.format(Locale.ROOT, "%.3f", temperature), file);
                png = Optional.of(file);
            } catch (IOException e) {
                l.warning("cannot write the reliability diagram " + file + ": " + e.getMessage());
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        // 7. The package.
        Map<String, String> split = new LinkedHashMap<>();
        split.put("train", train.tracks.size() + " tracks, " + train.x.size() + " windows");
        split.put("calibration", cal.tracks.size() + " tracks, " + cal.x.size() + " windows");
        split.put("test", test.tracks.size() + " tracks, " + test.x.size() + " windows");
        split.put("grouping", "by album folder (the folder holding each track): no album is in two parts; per label "
                + "its albums are shuffled with seed " + request.seed() + ", " + pct(request.holdout() / 2)
                + " to calibration, as many to test, the rest to training");
        OnnxGraphs.Heads graphHeads = new OnnxGraphs.Heads(mean, std, heads, passes,
                mc ? TrainingRequest.MC_DROPOUT_RATE : 0);
        ModelRef ref = new ModelRef(request.id(), nextVersion(request.id()));
        Path folder = request.output().orElse(modelsFolder());
        Path pkg = write(folder, ref, backbone, graphHeads, labels, temperature, provenance(request, data, backbone,
                labelCounts, split, train, cal, test, seeds, before, after, temperature));
        LOG.info("trained {} on {} tracks: test accuracy {} ECE {} at T {}", ref, usable.size(),
                after.get(Metric.ACCURACY).value(), after.get(Metric.ECE).value(), temperature);
        return new TrainingResult(ref, pkg, labels, labelCounts, split, temperature, before, after, diagram, png,
                counts[0], counts[1], failures, warnings, embedSeconds, trainSeconds);
    }

    /** A single label, or one with under {@link #MIN_TRACKS} tracks, makes no model. */
    private static void checkLabels(List<Corpus.Track> tracks, Path data) throws TemperedException {
        Map<String, Integer> n = new TreeMap<>();
        for (Corpus.Track t : tracks) {
            n.merge(t.label(), 1, Integer::sum);
        }
        if (n.isEmpty()) {
            throw new TemperedException(data, "no labelled tracks to train on");
        }
        if (n.size() == 1) {
            throw new TemperedException(data, "every track has the label '" + n.keySet().iterator().next()
                    + "': a model needs at least two labels to tell apart");
        }
        for (Map.Entry<String, Integer> e : n.entrySet()) {
            if (e.getValue() < MIN_TRACKS) {
                throw new TemperedException(data, "'" + e.getKey() + "' has " + e.getValue() + " track"
                        + (e.getValue() == 1 ? "" : "s") + "; each label needs at least " + MIN_TRACKS
                        + " in 3 albums (one to train on, one to fit T on, one to test on), and "
                        + RECOMMENDED_PER_HELD_OUT_PART * 5 + " for figures you can trust");
            }
            String label = e.getKey();
            if (label.chars().anyMatch(c -> c < 0x20 || c == ';' || c == '=')) {
                throw new TemperedException(data, "the label '" + label.replaceAll("\\p{Cntrl}", "?")
                        + "' holds a control character, ';' or '=', which the tags Tempered writes cannot carry; "
                        + "rename it or map it with --labels-map");
            }
        }
    }

    /** Embeds the tracks not in the cache; returns {decoded, cached}. */
    private int[] embed(List<Corpus.Track> tracks, Backbone backbone, Map<Path, float[][]> out,
            Map<Path, String> failures, TrainingListener l) throws TemperedException {
        try (EmbeddingCache cache = EmbeddingCache.open(libraryFolder())) {
            List<Path> todo = new ArrayList<>();
            Map<Path, String> hashes = new LinkedHashMap<>();
            int done = 0;
            int cached = 0;
            for (Corpus.Track t : tracks) {
                String hash;
                try {
                    hash = sha256(t.file());
                } catch (IOException e) {
                    failures.put(t.file(), "cannot read: " + e.getMessage());
                    l.warning(t.relative() + ": cannot read: " + e.getMessage());
                    continue;
                }
                hashes.put(t.file(), hash);
                Optional<float[][]> hit = cache.get(hash, backbone.key());
                if (hit.isPresent() && hit.get().length > 0) {
                    out.put(t.file(), hit.get());
                    cached++;
                } else {
                    todo.add(t.file());
                }
            }
            int total = hashes.size();
            l.stage("embedding " + total + " tracks with " + backbone.spec().ref() + ": " + cached + " cached, "
                    + todo.size() + " to decode");
            done = cached;
            long start = System.nanoTime();
            int decoded = 0;
            for (int i = 0; i < todo.size(); i += EMBED_BATCH) {
                if (l.cancelled()) {
                    throw new TemperedException(null, "training cancelled while embedding; nothing was written "
                            + "(the tracks embedded so far are cached)");
                }
                List<Path> batch = todo.subList(i, Math.min(todo.size(), i + EMBED_BATCH));
                for (TrackAnalyzer.Outcome o : analyzer.analyzeAll(batch, backbone.spec().ref().id())) {
                    done++;
                    decoded++;
                    if (o.failure() != null) {
                        failures.put(o.file(), o.failure().getMessage());
                        l.warning(o.failure().getMessage());
                    } else {
                        TrackAnalysis.Vectors v = o.analysis().vectors();
                        float[][] rows = v.rows();
                        if (rows.length == 0) {
                            failures.put(o.file(), "the backbone " + backbone.spec().ref() + " gave no embedding");
                            continue;
                        }
                        out.put(o.file(), rows);
                        cache.put(hashes.get(o.file()), backbone.key(), rows);
                    }
                    double perTrack = (System.nanoTime() - start) / 1e9 / decoded;
                    l.embedded(done, total, o.file(), false,
                            Duration.ofMillis((long) (perTrack * (todo.size() - decoded) * 1000)));
                }
            }
            return new int[] {decoded, cached};
        } catch (SQLException e) {
            throw new TemperedException(libraryFolder(), "the embedding cache failed: " + e.getMessage(), e);
        }
    }

    /** The rows of one part. */
    private static final class Rows {
        final List<float[]> x = new ArrayList<>();
        final List<Integer> y = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<String> tracks = new ArrayList<>();
    }

    private static Rows rows(List<Corpus.Track> tracks, int[] y, Part[] parts, Part part, Map<Path, float[][]> v) {
        Rows r = new Rows();
        for (int i = 0; i < tracks.size(); i++) {
            if (parts[i] != part) {
                continue;
            }
            Corpus.Track t = tracks.get(i);
            r.tracks.add(t.relative());
            float[][] w = v.get(t.file());
            for (int k = 0; k < w.length; k++) {
                r.x.add(w[k]);
                r.y.add(y[i]);
                r.names.add(t.relative() + (w.length > 1 ? "#" + (k + 1) : ""));
            }
        }
        return r;
    }

    private static void standardisation(List<float[]> x, float[] mean, float[] std) {
        int d = mean.length;
        double[] s = new double[d];
        double[] s2 = new double[d];
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                s[j] += r[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] = (float) (s[j] / x.size());
        }
        for (float[] r : x) {
            for (int j = 0; j < d; j++) {
                double c = r[j] - mean[j];
                s2[j] += c * c;
            }
        }
        for (int j = 0; j < d; j++) {
            double sd = Math.sqrt(s2[j] / x.size());
            // A constant feature (or a single training row) would divide by zero: leave it unscaled.
            std[j] = (float) (sd > 1e-6 ? sd : 1.0);
        }
    }

    /** Standardised as the ONNX graph does it, in float, so training sees what inference will. */
    private static double[][] standardised(List<float[]> x, float[] mean, float[] std) {
        double[][] out = new double[x.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] r = x.get(i);
            out[i] = new double[r.length];
            for (int j = 0; j < r.length; j++) {
                out[i][j] = (r[j] - mean[j]) / std[j];
            }
        }
        return out;
    }

    /** Each row's member logits: one per head, or for MC dropout one per pass, each with a fresh mask. */
    private static LabelledLogits logits(Rows rows, List<Mlp> heads, float[] mean, float[] std, List<String> labels,
            int passes, java.util.Random masks) {
        if (passes > 0) {
            double[][] xs = standardised(rows.x, mean, std);
            double[][][] z = new double[xs.length][passes][];
            for (int i = 0; i < xs.length; i++) {
                for (int k = 0; k < passes; k++) {
                    z[i][k] = heads.get(0).logits(xs[i], TrainingRequest.MC_DROPOUT_RATE, masks);
                }
            }
            return new LabelledLogits(labels, z, rows.y.stream().mapToInt(Integer::intValue).toArray(), rows.names);
        }
        return logits(rows, heads, mean, std, labels);
    }

    private static LabelledLogits logits(Rows rows, List<Mlp> heads, float[] mean, float[] std, List<String> labels) {
        double[][] xs = standardised(rows.x, mean, std);
        double[][][] z = new double[xs.length][heads.size()][];
        for (int i = 0; i < xs.length; i++) {
            for (int m = 0; m < heads.size(); m++) {
                z[i][m] = heads.get(m).logits(xs[i]);
            }
        }
        return new LabelledLogits(labels, z, rows.y.stream().mapToInt(Integer::intValue).toArray(), rows.names);
    }

    record Backbone(ModelSpec spec, byte[] graph, JsonNode manifest, String embeddingName, String key) {
    }

    private Backbone backbone(String id) throws TemperedException {
        ModelSpec spec = models.installed().stream().filter(s -> s.ref().id().equals(id))
                .max(Comparator.comparing(s -> s.ref().version(), Comparator.naturalOrder()))
                .orElseThrow(() -> new TemperedException(null, "no backbone package '" + id + "' is installed "
                        + "(installed: " + models.installed().stream().map(s -> s.ref().toString()).toList() + ")"));
        try (ModelLease lease = models.lease(spec.ref().id(), spec.ref().version())) {
            if (lease.model().embeddingNames().isEmpty()) {
                throw new TemperedException(null, spec.ref() + " declares no embedding output, so heads cannot be "
                        + "trained on it; use a package with an embeddingOutput, e.g. " + TrainingRequest.DEFAULT_BACKBONE);
            }
        } catch (dev.tempered.api.model.InferenceException e) {
            throw new TemperedException(null, "cannot open the backbone " + spec.ref() + ": " + e.getMessage(), e);
        }
        Path source = models.source(spec.ref()).orElseThrow(() -> new TemperedException(null, "the backbone "
                + spec.ref() + " has no package file to build on"));
        try {
            JsonNode manifest = JSON.readTree(read(source, "model.json"));
            String graphFile = "model.onnx";
            byte[] graph = read(source, graphFile);
            String embedding = manifest.path("embeddingOutput").path("name").asText("embedding");
            String key = spec.ref() + "#" + hex(digest(graph)).substring(0, 16);
            return new Backbone(spec, graph, manifest, embedding, key);
        } catch (IOException e) {
            throw new TemperedException(source, "cannot read the backbone package: " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path pkg, String name) throws IOException {
        if (Files.isDirectory(pkg)) {
            return Files.readAllBytes(pkg.resolve(name));
        }
        try (ZipFile zip = new ZipFile(pkg.toFile())) {
            ZipEntry e = zip.stream().filter(z -> z.getName().equals(name) || z.getName().endsWith("/" + name))
                    .findFirst().orElseThrow(() -> new IOException("no " + name + " in " + pkg));
            try (InputStream in = zip.getInputStream(e)) {
                return in.readAllBytes();
            }
        }
    }

    /** 1.0.0 for a new id; one patch above the highest installed version otherwise. */
    private String nextVersion(String id) {
        return models.installed().stream().filter(s -> s.ref().id().equals(id)).map(s -> s.ref().version())
                .filter(v -> v.matches("\\d+\\.\\d+\\.\\d+"))
                .max(Comparator.comparing((String v) -> Long.parseLong(v.split("\\.")[0]))
                        .thenComparing(v -> Long.parseLong(v.split("\\.")[1]))
                        .thenComparing(v -> Long.parseLong(v.split("\\.")[2])))
                .map(v -> {
                    String[] p = v.split("\\.");
                    return p[0] + "." + p[1] + "." + (Long.parseLong(p[2]) + 1);
                }).orElse("1.0.0");
    }

    private ObjectNode provenance(TrainingRequest request, Path data, Backbone backbone,
            Map<String, Integer> labelCounts, Map<String, String> split, Rows train, Rows cal, Rows test,
            List<Long> seeds, Map<Metric, MetricValue> before, Map<Metric, MetricValue> after, double temperature) {
        ObjectNode p = JSON.createObjectNode();
        p.put("data", data.toString());
        p.put("labelsFrom", request.labelsFrom().name().toLowerCase(Locale.ROOT));
        if (!request.labelsMap().isEmpty()) {
            p.set("labelsMap", JSON.valueToTree(new TreeMap<>(request.labelsMap())));
        }
        p.set("labelCounts", JSON.valueToTree(labelCounts));
        p.put("split", split.get("grouping") + "; train " + split.get("train") + ", calibration "
                + split.get("calibration") + ", test " + split.get("test"));
        p.put("method", request.mcDropout() ? "mc-dropout" : "ensemble");
        if (request.mcDropout()) {
            p.put("dropout", TrainingRequest.MC_DROPOUT_RATE);
            p.put("mcPasses", request.mcPasses());
            p.put("mcMasks", "fresh per pass at inference (unseeded RandomUniformLike in the graph); T and the "
                    + "metrics here used masks drawn from the seed");
        }
        p.set("seeds", JSON.valueToTree(seeds));
        p.put("seed", request.seed());
        ObjectNode heads = p.putObject("heads");
        heads.put("hidden", request.hidden());
        heads.put("epochs", request.epochs());
        heads.put("dropout", request.mcDropout() ? TrainingRequest.MC_DROPOUT_RATE : 0);
        Mlp.Settings s = Mlp.Settings.of(request.epochs());
        heads.put("batch", s.batch());
        heads.put("optimiser", "Adam, learning rate " + s.learningRate() + ", L2 weight decay " + s.weightDecay());
        heads.put("loss", "mean cross-entropy over analysis windows (each window of a track carries its label)");
        p.put("trainedBy", "tempered train");
        p.put("backbone", backbone.key());
        p.set("trainFiles", JSON.valueToTree(train.tracks));
        p.set("validationFiles", JSON.valueToTree(cal.names));
        p.set("testFiles", JSON.valueToTree(test.names));
        ObjectNode m = p.putObject("metrics");
        ObjectNode t = m.putObject("test");
        t.set("T1", metricsJson(before));
        t.set("calibrated", metricsJson(after));
        m.put("validationOptimalT", temperature);
        m.put("bins", BINS);
        m.put("resamples", RESAMPLES);
        m.put("unit", "analysis windows");
        return p;
    }

    private static ObjectNode metricsJson(Map<Metric, MetricValue> values) {
        ObjectNode o = JSON.createObjectNode();
        for (Metric metric : List.of(Metric.ACCURACY, Metric.NLL, Metric.ECE, Metric.MAE, Metric.BRIER)) {
            MetricValue v = values.get(metric);
            if (v != null) {
                String k = metric.name().toLowerCase(Locale.ROOT);
                o.put(k, v.value());
                ArrayNode ci = o.putArray(k + "Interval95");
                ci.add(v.lower());
                ci.add(v.upper());
            }
        }
        return o;
    }

    /** Writes the package into a hidden folder beside its place, then moves it there in one step. */
    private Path write(Path folder, ModelRef ref, Backbone backbone, OnnxGraphs.Heads heads, List<String> labels,
            double temperature, ObjectNode provenance) throws TemperedException {
        Path target = folder.resolve(ref.id());
        Path tmp = folder.resolve("." + ref.id() + ".tmp-" + Long.toHexString(System.nanoTime()));
        try {
            Files.createDirectories(tmp);
            String logits = backbone.spec().outputName();
            byte[] graph = OnnxGraphs.combined(backbone.graph(), backbone.embeddingName(), logits, heads);
            byte[] headsGraph = OnnxGraphs.headsOnly(backbone.embeddingName(), logits, heads);
            Files.write(tmp.resolve("model.onnx"), graph);
            Files.write(tmp.resolve("heads.onnx"), headsGraph);
            ObjectNode json = backbone.manifest().deepCopy();
            json.put("id", ref.id());
            json.put("version", ref.version());
            json.put("task", "genre");
            json.put("name", ref.id() + ": " + String.join(", ", labels) + " (" + (heads.passes() > 0
                    ? "MC dropout, " + heads.passes() + " passes" : heads.members().size() + "-head deep ensemble")
                    + " on the " + backbone.spec().ref().id() + " embedding, tempered train)");
            json.set("labels", JSON.valueToTree(labels));
            ObjectNode output = json.putObject("output");
            output.put("name", logits);
            output.set("shape", JSON.valueToTree(List.of(-1, heads.outputs(), labels.size())));
            ((ObjectNode) json.path("embeddingOutput")).put("heads", "heads.onnx");
            json.put("members", heads.outputs());
            ObjectNode mc = json.putObject("mcDropout");
            mc.put("passes", 0);
            // The passes run inside the graph (one call per window), as in choi-gtzan-mcd.
            mc.put("inGraphPasses", heads.passes());
            ObjectNode files = json.putObject("files");
            files.put("model.onnx", hex(digest(graph)));
            files.put("heads.onnx", hex(digest(headsGraph)));
            json.put("defaultTemperature", temperature);
            json.set("provenance", provenance);
            Files.write(tmp.resolve("model.json"), JSON.writeValueAsBytes(json));
            Path old = null;
            if (Files.exists(target)) {
                // A folder cannot be replaced in one rename: the old one steps aside (hidden) first.
                old = folder.resolve("." + ref.id() + ".old-" + Long.toHexString(System.nanoTime()));
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                deleteTree(old);
            }
            return target;
        } catch (IOException e) {
            try {
                deleteTree(tmp);
            } catch (IOException ignored) {
                // The hidden temp folder is ignored by the watcher; a later run removes nothing else.
            }
            throw new TemperedException(target, "cannot write the model package: " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String pct(double f) {
        return Math.round(f * 100) + " %";
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md = sha();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
        }
        return hex(md.digest());
    }

    private static byte[] digest(byte[] b) {
        return sha().digest(b);
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

}
