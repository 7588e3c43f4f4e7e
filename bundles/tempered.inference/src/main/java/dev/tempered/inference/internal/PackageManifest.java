package dev.tempered.inference.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tempered.api.ModelRef;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed {@code model.json}: the API's {@link ModelSpec} plus what only loading needs (file hashes, the
 * front end's feature names, the output shape).
 *
 * @param spec        the declaration the rest of Tempered sees
 * @param files       relative file name to lowercase hex sha256, in manifest order
 * @param features    the front end's feature names, empty when the manifest lists none
 * @param outputShape the declared output shape, {@code [-1, members, classes]}
 * @param embedding   the graph's second output with each input's embedding, or {@link Embedding#NONE}
 */
public record PackageManifest(ModelSpec spec, Map<String, String> files, List<String> features,
        List<Long> outputShape, Embedding embedding) {
    /** The only format version this reader understands. */
    public static final int FORMAT_VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public PackageManifest {
        files = Map.copyOf(files);
        features = List.copyOf(features);
        outputShape = List.copyOf(outputShape);
        embedding = embedding == null ? Embedding.NONE : embedding;
    }

    /**
     * An optional graph output {@code [-1, names.size()]} holding what the heads see (a convnet's features), so
     * users can have the vector for similarity search and a fidelity test can compare it with reference rows.
     *
     * @param name  the ONNX output name; empty for none
     * @param names one name per value
     * @param heads a second graph in the package, embedding {@code [-1, names.size()]} to the same logits, so
     *              labelled embeddings (a feature CSV) can be evaluated without audio; empty for none
     */
    public record Embedding(String name, List<String> names, String heads) {
        static final Embedding NONE = new Embedding("", List.of(), "");

        public Embedding {
            names = List.copyOf(names);
        }

        boolean present() {
            return !name.isEmpty();
        }
    }

    /** The one ONNX graph the package runs on audio (not the heads-only graph). */
    public String graphFile() {
        return files.keySet().stream().filter(f -> f.toLowerCase(Locale.ROOT).endsWith(".onnx"))
                .filter(f -> !f.equals(embedding.heads())).findFirst().orElseThrow();
    }

    /** Feature values per input row: the product of the input shape's non-batch dimensions. */
    public int rowLength() {
        long n = 1;
        for (long d : spec.inputShape().subList(1, spec.inputShape().size())) {
            n *= d;
        }
        return (int) n;
    }

    /**
     * Parses and checks a manifest.
     *
     * @param pkg  the package, for messages
     * @param json the bytes of {@code model.json}
     */
    public static PackageManifest parse(Path pkg, byte[] json) throws ModelPackageException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelPackageException(pkg, "model.json is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")", e);
        } catch (IOException e) {
            throw new ModelPackageException(pkg, "model.json cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelPackageException(pkg, "model.json must hold a JSON object");
        }
        Reader r = new Reader(pkg, root);
        int format = r.integer(root, "formatVersion");
        if (format != FORMAT_VERSION) {
            throw new ModelPackageException(pkg, "model.json formatVersion " + format + " is not supported (expected "
                    + FORMAT_VERSION + ")");
        }
        try {
            ModelRef ref = new ModelRef(r.text(root, "id"), r.text(root, "version"));
            List<String> labels = r.strings(root, "labels");
            JsonNode frontEnd = r.object(root, "frontEnd");
            List<String> features = frontEnd.has("features") ? r.strings(frontEnd, "features") : List.of();
            JsonNode win = r.object(root, "windowing");
            ModelSpec.Windowing windowing = new ModelSpec.Windowing(r.number(win, "windowSeconds"),
                    r.integer(win, "maxWindows"), win.path("combine").asText("mean-probability"));
            JsonNode input = r.object(root, "input");
            JsonNode output = r.object(root, "output");
            List<Long> inShape = r.shape(input, "input");
            List<Long> outShape = r.shape(output, "output");
            int members = r.integer(root, "members");
            int passes = root.has("mcDropout") ? r.integer(r.object(root, "mcDropout"), "passes") : 0;
            if (inShape.size() < 2 || inShape.get(0) != -1 || inShape.subList(1, inShape.size()).stream()
                    .anyMatch(d -> d < 1)) {
                throw new ModelPackageException(pkg, "input.shape must be [-1, n, ...] with fixed n > 0, got "
                        + inShape);
            }
            List<Long> expectedOut = List.of(-1L, (long) members, (long) labels.size());
            if (!outShape.equals(expectedOut)) {
                throw new ModelPackageException(pkg, "output.shape " + outShape + " must be [-1, members, labels] = "
                        + expectedOut);
            }
            if (!features.isEmpty() && inShape.size() == 2 && inShape.get(1) != features.size()) {
                throw new ModelPackageException(pkg, "frontEnd lists " + features.size()
                        + " features but input.shape is " + inShape);
            }
            String headsFile = root.path("embeddingOutput").path("heads").asText("");
            Map<String, String> files = r.files(root, headsFile);
            @SuppressWarnings("unchecked")
            Map<String, Object> provenance = root.has("provenance")
                    ? JSON.convertValue(r.object(root, "provenance"), Map.class)
                    : Map.of();
            validate(pkg, labels, r.integer(root, "sampleRate"), r.text(frontEnd, "type"), windowing, inShape, members,
                    passes, r.number(root, "defaultTemperature"));
            ModelSpec spec = new ModelSpec(ref, r.text(root, "task"), root.path("name").asText(ref.toString()), labels,
                    r.integer(root, "sampleRate"), r.text(frontEnd, "type"), windowing, r.text(input, "name"), inShape,
                    r.text(output, "name"), members, passes, r.number(root, "defaultTemperature"),
                    withoutNulls(provenance));
            Embedding embedding = Embedding.NONE;
            if (root.has("embeddingOutput")) {
                JsonNode e = r.object(root, "embeddingOutput");
                List<Long> shape = r.shape(e, "embeddingOutput");
                List<String> names = r.strings(e, "names");
                if (shape.size() != 2 || shape.get(0) != -1 || shape.get(1) != names.size()) {
                    throw new ModelPackageException(pkg, "embeddingOutput.shape " + shape + " must be [-1, "
                            + names.size() + "] (one column per name)");
                }
                String heads = e.path("heads").asText("");
                embedding = new Embedding(r.text(e, "name"), names, heads);
                if (embedding.name().equals(r.text(output, "name"))) {
                    throw new ModelPackageException(pkg, "embeddingOutput and output must be different outputs");
                }
            }
            return new PackageManifest(spec, files, features, outShape, embedding);
        } catch (IllegalArgumentException e) {
            throw new ModelPackageException(pkg, "model.json: " + e.getMessage(), e);
        }
    }

    /** Window combinations the analysis engine implements. */
    static final java.util.Set<String> COMBINE = java.util.Set.of("mean-probability");
    static final int MIN_RATE = 4_000;
    static final int MAX_RATE = 192_000;
    static final double MIN_WINDOW_SECONDS = 0.5;
    static final double MAX_WINDOW_SECONDS = 600;
    static final int MAX_WINDOWS = 100;
    static final int MAX_MEMBERS = 64;
    static final int MAX_PASSES = 100;
    /** Member distributions per row at most (members x MC passes): bounds what one analysis holds. */
    static final int MAX_DISTRIBUTIONS = 1_024;
    static final int MAX_LABELS = 1_000;
    static final int MAX_LABEL_LENGTH = 64;
    /** Input floats per row at most (64 Mi floats = 256 MB): a waveform row of 600 s at 96 kHz fits. */
    static final long MAX_ROW = 1L << 26;
    /** The range the calibration configuration accepts too: outside it probabilities turn NaN or uniform. */
    static final double MIN_TEMPERATURE = 0.01;
    static final double MAX_TEMPERATURE = 100;

    /**
     * Every value the pipeline will use, checked at install: absurd values otherwise fail only when used (a zero
     * sample rate), hold gigabytes (1e6 MC passes), or break the tags (a label with ';', '=' or a NUL is written
     * into TEMPERED_DISTRIBUTION and breaks its parsing and MP3 verification).
     */
    private static void validate(Path pkg, List<String> labels, int rate, String frontEnd,
            ModelSpec.Windowing windowing, List<Long> inShape, int members, int passes, double temperature)
            throws ModelPackageException {
        if (rate < MIN_RATE || rate > MAX_RATE) {
            throw refuse(pkg, "sampleRate " + rate + " is outside [" + MIN_RATE + ", " + MAX_RATE + "] Hz");
        }
        if (!frontEnd.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw refuse(pkg, "frontEnd.type '" + printable(frontEnd) + "' is not a front end name ([a-z0-9._-])");
        }
        double w = windowing.windowSeconds();
        if (!(w >= MIN_WINDOW_SECONDS && w <= MAX_WINDOW_SECONDS)) {
            throw refuse(pkg, "windowing.windowSeconds " + w + " is outside [" + MIN_WINDOW_SECONDS + ", "
                    + MAX_WINDOW_SECONDS + "]");
        }
        if (windowing.maxWindows() > MAX_WINDOWS) {
            throw refuse(pkg, "windowing.maxWindows " + windowing.maxWindows() + " is over " + MAX_WINDOWS);
        }
        if (!COMBINE.contains(windowing.combine())) {
            throw refuse(pkg, "windowing.combine '" + printable(windowing.combine()) + "' is unknown (known: "
                    + COMBINE + ")");
        }
        if (members > MAX_MEMBERS) {
            throw refuse(pkg, "members " + members + " is over " + MAX_MEMBERS);
        }
        if (passes > MAX_PASSES) {
            throw refuse(pkg, "mcDropout.passes " + passes + " is over " + MAX_PASSES);
        }
        if ((long) members * Math.max(1, passes) > MAX_DISTRIBUTIONS) {
            throw refuse(pkg, members + " members x " + passes + " passes is over " + MAX_DISTRIBUTIONS
                    + " distributions per row");
        }
        long row = 1;
        for (long d : inShape.subList(1, inShape.size())) {
            if (d > MAX_ROW / row) {
                throw refuse(pkg, "input.shape " + inShape + " asks for more than " + MAX_ROW + " floats per row");
            }
            row *= d;
        }
        if (!(temperature >= MIN_TEMPERATURE && temperature <= MAX_TEMPERATURE)) {
            throw refuse(pkg, "defaultTemperature " + temperature + " is outside [" + MIN_TEMPERATURE + ", "
                    + MAX_TEMPERATURE + "]");
        }
        if (labels.size() < 2 || labels.size() > MAX_LABELS) {
            throw refuse(pkg, labels.size() + " labels: a genre model needs 2 to " + MAX_LABELS);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String l : labels) {
            if (l.isBlank() || !l.equals(l.strip()) || l.length() > MAX_LABEL_LENGTH
                    || l.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == ';' || c == '=')) {
                throw refuse(pkg, "label '" + printable(l) + "' is not allowed (1-" + MAX_LABEL_LENGTH
                        + " characters, no control characters, ';' or '=', no surrounding spaces)");
            }
            if (!seen.add(l.toLowerCase(java.util.Locale.ROOT))) {
                throw refuse(pkg, "label '" + l + "' appears twice");
            }
        }
    }

    private static ModelPackageException refuse(Path pkg, String reason) {
        return new ModelPackageException(pkg, "model.json: " + reason);
    }

    /** A value as it can be logged: control characters escaped, long values cut. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return s.length() > 80 ? b + "..." : b.toString();
    }

    /** Map.copyOf rejects null values, which free-form JSON may contain. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> withoutNulls(Map<String, Object> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> m) {
                out.put(k, withoutNulls((Map<String, Object>) m));
            } else if (v instanceof List<?> l) {
                out.put(k, l.stream().filter(x -> x != null).toList());
            } else if (v != null) {
                out.put(k, v);
            }
        });
        return Map.copyOf(out);
    }

    private record Reader(Path pkg, JsonNode root) {
        JsonNode field(JsonNode node, String name) throws ModelPackageException {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw new ModelPackageException(pkg, "model.json: missing '" + name + "'");
            }
            return v;
        }

        String text(JsonNode node, String name) throws ModelPackageException {
            JsonNode v = field(node, name);
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new ModelPackageException(pkg, "model.json: '" + name + "' must be a non-empty string");
            }
            return v.asText();
        }

        int integer(JsonNode node, String name) throws ModelPackageException {
            JsonNode v = field(node, name);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new ModelPackageException(pkg, "model.json: '" + name + "' must be an integer, got " + v);
            }
            return v.asInt();
        }

        double number(JsonNode node, String name) throws ModelPackageException {
            JsonNode v = field(node, name);
            if (!v.isNumber()) {
                throw new ModelPackageException(pkg, "model.json: '" + name + "' must be a number, got " + v);
            }
            return v.asDouble();
        }

        JsonNode object(JsonNode node, String name) throws ModelPackageException {
            JsonNode v = field(node, name);
            if (!v.isObject()) {
                throw new ModelPackageException(pkg, "model.json: '" + name + "' must be an object");
            }
            return v;
        }

        List<String> strings(JsonNode node, String name) throws ModelPackageException {
            JsonNode v = field(node, name);
            List<String> out = new ArrayList<>();
            if (v.isArray()) {
                for (JsonNode e : v) {
                    if (!e.isTextual()) {
                        out = null;
                        break;
                    }
                    out.add(e.asText());
                }
            }
            if (!v.isArray() || out == null || out.isEmpty()) {
                throw new ModelPackageException(pkg, "model.json: '" + name + "' must be a non-empty array of strings");
            }
            return out;
        }

        List<Long> shape(JsonNode node, String what) throws ModelPackageException {
            JsonNode v = field(node, "shape");
            List<Long> out = new ArrayList<>();
            if (v.isArray()) {
                for (JsonNode e : v) {
                    if (!e.isIntegralNumber()) {
                        throw new ModelPackageException(pkg, "model.json: " + what + ".shape must hold integers");
                    }
                    out.add(e.asLong());
                }
            }
            if (out.isEmpty()) {
                throw new ModelPackageException(pkg, "model.json: " + what + ".shape must be a non-empty array");
            }
            return out;
        }

        Map<String, String> files(JsonNode node, String headsFile) throws ModelPackageException {
            JsonNode v = object(node, "files");
            Map<String, String> out = new LinkedHashMap<>();
            int graphs = 0;
            for (var it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                String name = e.getKey();
                Path p = Path.of(name).normalize();
                if (name.isBlank() || p.isAbsolute() || p.startsWith("..") || name.contains("\\")
                        || name.equals("model.json")) {
                    throw new ModelPackageException(pkg, "model.json: bad file name in 'files': '" + name + "'");
                }
                String hash = e.getValue().asText("").toLowerCase(Locale.ROOT);
                if (!hash.matches("[0-9a-f]{64}")) {
                    throw new ModelPackageException(pkg, "model.json: files['" + name
                            + "'] must be a sha256 as 64 hex digits");
                }
                if (name.toLowerCase(Locale.ROOT).endsWith(".onnx") && !name.equals(headsFile)) {
                    graphs++;
                }
                out.put(p.toString(), hash);
            }
            if (graphs != 1) {
                throw new ModelPackageException(pkg, "model.json: 'files' must list exactly one .onnx graph, found "
                        + graphs + (headsFile.isEmpty() ? "" : " besides the heads graph " + headsFile));
            }
            if (!headsFile.isEmpty() && !out.containsKey(headsFile)) {
                throw new ModelPackageException(pkg, "model.json: embeddingOutput.heads '" + headsFile
                        + "' is not listed in 'files'");
            }
            return out;
        }
    }
}
