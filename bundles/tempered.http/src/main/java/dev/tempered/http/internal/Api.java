package dev.tempered.http.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.analysis.TrackAnalyzer.Outcome;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The API's endpoints, each a thin adapter over one service: parse the request, call the service, render its
 * result as JSON. Independent of the servlet container, so it is tested with fakes and served by {@link ApiServlet}.
 */
final class Api {
    static final ObjectMapper JSON = new ObjectMapper();
    /** How long a temperature change may take to reach the calibrator (ConfigAdmin delivers asynchronously). */
    private static final long APPLY_WAIT_MILLIS = 5_000;
    private static final String FORM = "application/x-www-form-urlencoded";

    /** The routes, for the OpenAPI document's test: method and path template. */
    static final List<String> ROUTES = List.of("GET /openapi.json", "POST /analyze", "POST /analyze/upload",
            "GET /models", "PUT /models/active", "GET /models/{model}/temperature", "PUT /models/{model}/temperature",
            "POST /tag/plan", "POST /tag/apply", "GET /review", "POST /review/accept", "POST /review/reject",
            "POST /review/clear");

    private final TrackAnalyzer analyzer;
    private final ModelRepository repository;
    private final Calibrator calibrator;
    private final TemperatureSettings settings;
    private final CollectionTagger tagger;
    private final ReviewQueue review;
    private final Limits limits;
    private final Path uploadDir;
    private final Supplier<String> token;

    /**
     * Bounds on what one request may ask.
     *
     * @param maxJsonBytes   largest JSON body
     * @param maxUploadBytes largest uploaded audio file
     * @param maxPaths       most paths in one request
     */
    record Limits(int maxJsonBytes, long maxUploadBytes, int maxPaths) {
    }

    /**
     * @param uploadDir where uploads are held while they are analysed (created on demand)
     * @param token     the token state-changing requests must carry; null while none is issued
     */
    Api(TrackAnalyzer analyzer, ModelRepository repository, Calibrator calibrator, TemperatureSettings settings,
            CollectionTagger tagger, ReviewQueue review, Limits limits, Path uploadDir, Supplier<String> token) {
        this.analyzer = analyzer;
        this.repository = repository;
        this.calibrator = calibrator;
        this.settings = settings;
        this.tagger = tagger;
        this.review = review;
        this.limits = limits;
        this.uploadDir = uploadDir;
        this.token = token;
    }

    Reply handle(Request r) {
        try {
            return route(r);
        } catch (ApiException e) {
            return Reply.of(e);
        } catch (TemperedException e) {
            // The services' own refusals (no such model, a bad temperature) are the client's to fix.
            return Reply.error(422, "refused", e.getMessage());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, "bad_request", e.getMessage());
        }
    }

    private Reply route(Request r) throws ApiException, TemperedException {
        String p = r.path() == null || r.path().isEmpty() ? "/" : r.path();
        String m = r.method();
        if (!m.equals("GET") && !m.equals("HEAD")) {
            checkToken(r);
        }
        switch (p) {
            case "/openapi.json" -> {
                only(m, "GET");
                return Reply.ok(OpenApi.document());
            }
            case "/analyze" -> {
                only(m, "POST");
                return analyze(r);
            }
            case "/analyze/upload" -> {
                only(m, "POST");
                return upload(r);
            }
            case "/models" -> {
                only(m, "GET");
                return Reply.ok(models());
            }
            case "/models/active" -> {
                only(m, "PUT", "POST");
                return activate(r);
            }
            case "/tag/plan", "/tag/apply" -> {
                only(m, "POST");
                return tag(r, p.endsWith("plan"));
            }
            case "/review" -> {
                only(m, "GET");
                return reviewList(r);
            }
            case "/review/accept", "/review/reject", "/review/clear" -> {
                only(m, "POST");
                return reviewChange(r, p.substring("/review/".length()));
            }
            default -> {
                if (p.startsWith("/models/") && p.endsWith("/temperature")) {
                    String model = p.substring("/models/".length(), p.length() - "/temperature".length());
                    if (m.equals("GET")) {
                        return Reply.ok(temperature(spec(model)));
                    }
                    only(m, "PUT", "POST");
                    return setTemperature(model, r);
                }
                throw new ApiException(404, "not_found", "no endpoint " + p + " (the endpoints are listed at "
                        + "/openapi.json)");
            }
        }
    }

    private void checkToken(Request r) throws ApiException {
        String expected = token.get();
        if (expected == null) {
            throw new ApiException(403, "not_open", "this application accepts no changes: no token was issued (start "
                    + "it with tempered serve)");
        }
        if (r.token() == null || r.token().isBlank()) {
            throw new ApiException(401, "token_required", r.method() + " " + r.path() + " changes state or runs "
                    + "work: send the token from the serve.token file in the Tempered home folder in the "
                    + "X-Tempered-Token header");
        }
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                r.token().trim().getBytes(StandardCharsets.UTF_8))) {
            throw new ApiException(403, "bad_token", "the token does not match the one tempered serve wrote (it "
                    + "changes at every start)");
        }
    }

    private static void only(String method, String... allowed) throws ApiException {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new ApiException(405, "method_not_allowed", method + " is not allowed here; use "
                + String.join(" or ", allowed));
    }

    // --- analysis ---------------------------------------------------------------------------------------------

    private Reply analyze(Request r) throws ApiException {
        ObjectNode body = jsonBody(r, Set.of("paths", "model"));
        List<Path> paths = paths(body, "paths", true);
        String model = optionalText(body, "model");
        ArrayNode files = JSON.createArrayNode();
        int failed = 0;
        List<Path> present = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        List<ObjectNode> results = new ArrayList<>(Collections.nCopies(paths.size(), null));
        for (int i = 0; i < paths.size(); i++) {
            Path f = paths.get(i);
            // Missing files are answered here so the message is plain and the service never sees them.
            if (!Files.isRegularFile(f)) {
                results.set(i, fileError(f, Files.exists(f) ? "not a regular file" : "no such file"));
            } else {
                present.add(f);
                slots.add(i);
            }
        }
        if (!present.isEmpty()) {
            List<Outcome> outcomes = analyzer.analyzeAll(present, model);
            for (int k = 0; k < outcomes.size(); k++) {
                Outcome o = outcomes.get(k);
                results.set(slots.get(k), o.failure() != null ? fileError(o.file(), o.failure().getMessage())
                        : Render.analysis(o.analysis()));
            }
        }
        for (ObjectNode o : results) {
            failed += o.has("error") ? 1 : 0;
            files.add(o);
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("files", files);
        out.put("failed", failed);
        return Reply.ok(out);
    }

    private static ObjectNode fileError(Path f, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.put("file", f.toString());
        e.put("error", message);
        return e;
    }

    private Reply upload(Request r) throws ApiException, TemperedException {
        String name = r.param("name");
        if (name == null || name.isBlank()) {
            name = "upload";
        }
        // Only the last segment of the client's name, and only harmless characters: it names a temporary file.
        name = Path.of(name.replace('\\', '/')).getFileName().toString().replaceAll("[^A-Za-z0-9._-]", "_");
        if (r.contentLength() > limits.maxUploadBytes()) {
            throw tooLarge("upload", r.contentLength(), limits.maxUploadBytes());
        }
        Path file;
        try {
            Files.createDirectories(uploadDir);
            Path dir = Files.createTempDirectory(uploadDir, "upload-");
            file = dir.resolve(name);
        } catch (IOException e) {
            return Reply.error(500, "upload_failed", "cannot hold the upload in " + uploadDir + ": " + e.getMessage());
        }
        try {
            long n = copyBounded(r, file, limits.maxUploadBytes());
            if (n == 0) {
                throw ApiException.badRequest("the upload is empty: send the audio file as the request body");
            }
            String model = r.param("model");
            ObjectNode out = JSON.createObjectNode();
            ArrayNode files = out.putArray("files");
            int failed = 0;
            try {
                ObjectNode a = Render.analysis(analyzer.analyze(file, model));
                a.put("file", name);
                files.add(a);
            } catch (TemperedException e) {
                // The message names the temporary path; the client knows the file by its own name.
                files.add(fileError(Path.of(name), e.getMessage().replace(file.toString(), name)));
                failed = 1;
            }
            out.put("failed", failed);
            return Reply.ok(out);
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(file.getParent());
            } catch (IOException e) {
                // Left in the cache folder; nothing reads it again.
            }
        }
    }

    private static long copyBounded(Request r, Path file, long max) throws ApiException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (InputStream in = r.body().open(); OutputStream out = Files.newOutputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw tooLarge("upload", total, max);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw ApiException.badRequest("the upload could not be read: " + e.getMessage());
        }
        return total;
    }

    private static ApiException tooLarge(String what, long size, long max) {
        return new ApiException(413, "too_large", "the " + what + " is larger than the limit of " + max
                + " bytes" + (size > 0 ? " (" + size + " or more)" : ""));
    }

    // --- models and temperatures --------------------------------------------------------------------------------

    private JsonNode models() {
        ArrayNode list = JSON.createArrayNode();
        for (ModelSpec s : repository.installed()) {
            ObjectNode o = list.addObject();
            o.put("model", s.ref().toString());
            o.put("id", s.ref().id());
            o.put("version", s.ref().version());
            o.put("task", s.task());
            o.put("name", s.name());
            o.put("members", s.members());
            o.put("mcDropoutPasses", s.mcDropoutPasses());
            ArrayNode labels = o.putArray("labels");
            s.labels().forEach(labels::add);
            o.put("temperature", calibrator.temperature(s.ref(), s.defaultTemperature()));
            o.put("defaultTemperature", s.defaultTemperature());
            o.put("active", repository.active(s.task()).map(a -> a.ref().equals(s.ref())).orElse(false));
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("models", list);
        return out;
    }

    private Reply activate(Request r) throws ApiException, TemperedException {
        ObjectNode body = jsonBody(r, Set.of("model"));
        String model = requiredText(body, "model");
        ModelRef ref = model.contains("@") ? parseRef(model) : null;
        ModelSpec s = ref != null ? repository.activate(ref.id(), ref.version()) : repository.activate(model, null);
        return Reply.ok(temperature(s).put("active", true));
    }

    private ObjectNode temperature(ModelSpec s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", s.ref().toString());
        o.put("temperature", calibrator.temperature(s.ref(), s.defaultTemperature()));
        o.put("defaultTemperature", s.defaultTemperature());
        settings.minConfidence(s.ref()).ifPresent(v -> o.put("minConfidence", v));
        return o;
    }

    private Reply setTemperature(String model, Request r) throws ApiException, TemperedException {
        ModelSpec s = spec(model);
        ObjectNode body = jsonBody(r, Set.of("temperature", "reset"));
        boolean reset = body.path("reset").asBoolean(false);
        if (body.has("reset") && !body.get("reset").isBoolean()) {
            throw ApiException.badRequest("\"reset\" must be true or false");
        }
        double t;
        if (reset) {
            settings.reset(s.ref());
            t = s.defaultTemperature();
        } else {
            JsonNode v = body.get("temperature");
            if (v == null || !v.isNumber()) {
                throw ApiException.badRequest("\"temperature\" must be a number (or send {\"reset\": true})");
            }
            t = v.asDouble();
            if (!(t >= 0.01 && t <= 100)) {
                throw ApiException.badRequest("temperature " + t + " is outside [0.01, 100]");
            }
            settings.setTemperature(s.ref(), t, "set through the HTTP API");
        }
        boolean applied = awaitTemperature(s, t);
        return Reply.ok(temperature(s).put("applied", applied));
    }

    private boolean awaitTemperature(ModelSpec s, double expected) {
        long deadline = System.nanoTime() + APPLY_WAIT_MILLIS * 1_000_000;
        while (true) {
            // The settings store 6 decimals.
            if (Math.abs(calibrator.temperature(s.ref(), s.defaultTemperature()) - expected)
                    <= 1e-6 * Math.max(1, expected)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** An installed model by id (the highest version) or id@version. */
    private ModelSpec spec(String text) throws ApiException {
        ModelRef ref = text.contains("@") ? parseRef(text) : null;
        Optional<ModelSpec> found = repository.installed().stream()
                .filter(s -> ref != null ? s.ref().equals(ref) : s.ref().id().equals(text))
                .max((a, b) -> a.ref().version().compareTo(b.ref().version()));
        return found.orElseThrow(() -> new ApiException(404, "no_such_model", "no installed model " + text
                + " (GET /models lists them)"));
    }

    private static ModelRef parseRef(String text) throws ApiException {
        try {
            return ModelRef.parse(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    // --- tags and review ----------------------------------------------------------------------------------------

    private Reply tag(Request r, boolean plan) throws ApiException, TemperedException {
        ObjectNode body = jsonBody(r, Set.of("paths", "model", "minConfidence", "minSuggest", "genre", "keepMtime",
                "reanalyse"));
        List<Path> roots = paths(body, "paths", false);
        double min = optionalProbability(body, "minConfidence", Double.NaN);
        double suggest = optionalProbability(body, "minSuggest", 0);
        if (!Double.isNaN(min) && suggest > min) {
            throw ApiException.badRequest("minSuggest " + suggest + " is above minConfidence " + min);
        }
        String genre = Optional.ofNullable(optionalText(body, "genre")).orElse("fill-empty");
        TagPolicy.ExistingGenre existing = switch (genre) {
            case "keep" -> TagPolicy.ExistingGenre.KEEP;
            case "replace" -> TagPolicy.ExistingGenre.REPLACE;
            case "append" -> TagPolicy.ExistingGenre.APPEND;
            case "fill-empty" -> TagPolicy.ExistingGenre.FILL_EMPTY;
            default -> throw ApiException.badRequest("\"genre\" must be keep, replace, append or fill-empty, not '"
                    + genre + "'");
        };
        TagPolicy policy = new TagPolicy(min, TagPolicy.BelowThreshold.REVIEW, existing,
                optionalBoolean(body, "keepMtime"), suggest, GenreNames.defaults());
        TagJobRequest request = new TagJobRequest(roots, optionalText(body, "model"), plan, policy, 0, null,
                LabelSource.NONE, null, optionalBoolean(body, "reanalyse"));
        List<LibraryEntry> done = Collections.synchronizedList(new ArrayList<>());
        TagJobSummary summary = tagger.tag(request, new TagJobListener() {
            @Override
            public void progress(TagJobProgress progress) {
            }

            @Override
            public void fileDone(LibraryEntry entry) {
                done.add(entry);
            }

            @Override
            public boolean isCancelled() {
                return Thread.currentThread().isInterrupted();
            }
        });
        return Reply.ok(Render.summary(summary, done));
    }

    private Reply reviewList(Request r) throws ApiException, TemperedException {
        List<Path> paths = new ArrayList<>();
        for (String p : r.params("path")) {
            paths.add(absolute(p, "path"));
        }
        ArrayNode items = JSON.createArrayNode();
        for (ReviewQueue.Item i : review.list(paths)) {
            items.add(Render.item(i));
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("items", items);
        return Reply.ok(out);
    }

    private Reply reviewChange(Request r, String what) throws ApiException, TemperedException {
        ObjectNode body = jsonBody(r, Set.of("paths"));
        List<Path> paths = paths(body, "paths", false);
        List<TagResult> results = switch (what) {
            case "accept" -> review.accept(paths);
            case "reject" -> review.reject(paths);
            default -> review.clear(paths);
        };
        ArrayNode list = JSON.createArrayNode();
        for (TagResult t : results) {
            list.add(Render.result(t));
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("results", list);
        return Reply.ok(out);
    }

    // --- request bodies -----------------------------------------------------------------------------------------

    /** The body as a JSON object with only the named fields; too large, malformed or unknown fields: 4xx. */
    private ObjectNode jsonBody(Request r, Set<String> allowed) throws ApiException {
        if (r.contentLength() > limits.maxJsonBytes()) {
            throw tooLarge("JSON body", r.contentLength(), limits.maxJsonBytes());
        }
        String type = r.contentType() == null ? "" : r.contentType().toLowerCase(Locale.ROOT);
        // curl -d sends its default form type; the token header, which no browser form can add, is the guard.
        if (!type.isEmpty() && !type.startsWith("application/json") && !type.startsWith(FORM)
                && !type.startsWith("text/plain")) {
            throw new ApiException(415, "unsupported_media_type", "the body must be application/json, not "
                    + r.contentType());
        }
        byte[] bytes;
        try (InputStream in = r.body().open()) {
            bytes = in.readNBytes(limits.maxJsonBytes() + 1);
        } catch (IOException e) {
            throw ApiException.badRequest("the body could not be read: " + e.getMessage());
        }
        if (bytes.length > limits.maxJsonBytes()) {
            throw tooLarge("JSON body", bytes.length, limits.maxJsonBytes());
        }
        if (bytes.length == 0) {
            throw ApiException.badRequest("the request needs a JSON object body");
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "bad_json", "the body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw ApiException.badRequest("the body could not be read: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new ApiException(400, "bad_json", "the body must be a JSON object, not "
                    + (node == null ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw ApiException.badRequest("unknown field \"" + f + "\" (expected " + String.join(", ",
                        allowed.stream().sorted().toList()) + ")");
            }
        }
        return (ObjectNode) node;
    }

    private List<Path> paths(ObjectNode body, String field, boolean files) throws ApiException {
        JsonNode v = body.get(field);
        if (v == null || !v.isArray() || v.isEmpty()) {
            throw ApiException.badRequest("\"" + field + "\" must be a non-empty array of absolute "
                    + (files ? "file paths" : "file or folder paths"));
        }
        if (v.size() > limits.maxPaths()) {
            throw new ApiException(413, "too_large", "\"" + field + "\" names " + v.size() + " paths; at most "
                    + limits.maxPaths() + " per request (name a folder instead)");
        }
        List<Path> out = new ArrayList<>();
        for (JsonNode p : v) {
            if (!p.isTextual()) {
                throw ApiException.badRequest("\"" + field + "\" must hold strings, found " + p);
            }
            out.add(absolute(p.asText(), field));
        }
        return out;
    }

    private static Path absolute(String text, String field) throws ApiException {
        if (text.isBlank() || text.indexOf('\0') >= 0) {
            throw ApiException.badRequest("\"" + field + "\" holds an empty or invalid path");
        }
        Path p;
        try {
            p = Path.of(text);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("\"" + field + "\": not a path: " + text);
        }
        if (!p.isAbsolute()) {
            // The server's working folder means nothing to a client.
            throw ApiException.badRequest("\"" + field + "\": " + text + " is not an absolute path");
        }
        return p.normalize();
    }

    private static String optionalText(ObjectNode body, String field) throws ApiException {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw ApiException.badRequest("\"" + field + "\" must be a non-empty string");
        }
        return v.asText();
    }

    private static String requiredText(ObjectNode body, String field) throws ApiException {
        String v = optionalText(body, field);
        if (v == null) {
            throw ApiException.badRequest("\"" + field + "\" is required");
        }
        return v;
    }

    private static boolean optionalBoolean(ObjectNode body, String field) throws ApiException {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badRequest("\"" + field + "\" must be true or false");
        }
        return v.asBoolean();
    }

    private static double optionalProbability(ObjectNode body, String field, double fallback) throws ApiException {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber() || !(v.asDouble() >= 0 && v.asDouble() <= 1)) {
            throw ApiException.badRequest("\"" + field + "\" must be a number in [0, 1], not " + v);
        }
        return v.asDouble();
    }
}
