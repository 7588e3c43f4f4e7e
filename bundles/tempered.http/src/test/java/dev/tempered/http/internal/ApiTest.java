package dev.tempered.http.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints over hand-written fakes of the services: routing, token, body limits and errors. */
class ApiTest {
    private static final String TOKEN = "s3cret-token";
    private static final List<String> LABELS = List.of("blues", "jazz", "rock");

    @TempDir
    Path dir;

    private final FakeModels models = new FakeModels();
    private final FakeCalibration calibration = new FakeCalibration();
    private final List<Path> analysed = new ArrayList<>();
    private Api api;
    private String issued = TOKEN;

    @BeforeEach
    void setUp() {
        api = new Api(new FakeAnalyzer(), models, calibration, calibration, null, null,
                new Api.Limits(1024, 4096, 3), dir.resolve("uploads"), () -> issued);
    }

    @Test
    void theOpenApiDocumentDescribesEveryRoute() {
        Reply r = api.handle(get("/openapi.json"));
        assertEquals(200, r.status());
        assertEquals("3.0.3", r.body().path("openapi").asText());
        for (String route : Api.ROUTES) {
            String[] mp = route.split(" ");
            assertTrue(r.body().path("paths").path(mp[1]).has(mp[0].toLowerCase()), route + " is not in openapi.json");
        }
    }

    @Test
    void writesWithoutTheTokenAreRefused() throws Exception {
        Path song = Files.writeString(dir.resolve("a.mp3"), "x");
        String body = "{\"paths\": [\"" + song + "\"]}";
        Reply none = api.handle(post("/analyze", body, null));
        assertEquals(401, none.status());
        assertEquals("token_required", none.body().path("error").asText());
        assertTrue(none.body().path("message").asText().contains("X-Tempered-Token"));
        Reply wrong = api.handle(post("/analyze", body, "guess"));
        assertEquals(403, wrong.status());
        assertEquals("bad_token", wrong.body().path("error").asText());
        Reply swap = api.handle(put("/models/active", "{\"model\": \"other\"}", null));
        assertEquals(401, swap.status());
        assertEquals("one", models.active.ref().id(), "a refused swap changed the model");
        issued = null;
        assertEquals("not_open", api.handle(post("/analyze", body, TOKEN)).body().path("error").asText());
        assertTrue(analysed.isEmpty(), "a refused request reached the analyzer");
        // Reading needs no token.
        assertEquals(200, api.handle(get("/models")).status());
    }

    @Test
    void badJsonUnknownFieldsAndRelativePathsAreClear400s() {
        Reply bad = api.handle(post("/analyze", "{\"paths\": [", TOKEN));
        assertEquals(400, bad.status());
        assertEquals("bad_json", bad.body().path("error").asText());
        assertTrue(bad.body().path("message").asText().contains("line 1"), bad.body().toString());
        Reply array = api.handle(post("/analyze", "[1, 2]", TOKEN));
        assertEquals("bad_json", array.body().path("error").asText());
        Reply unknown = api.handle(post("/analyze", "{\"paths\": [\"/x\"], \"modle\": \"y\"}", TOKEN));
        assertEquals(400, unknown.status());
        assertTrue(unknown.body().path("message").asText().contains("\"modle\""));
        Reply relative = api.handle(post("/analyze", "{\"paths\": [\"music/a.mp3\"]}", TOKEN));
        assertEquals(400, relative.status());
        assertTrue(relative.body().path("message").asText().contains("music/a.mp3 is not an absolute path"));
        Reply tooMany = api.handle(post("/analyze", "{\"paths\": [\"/a\", \"/b\", \"/c\", \"/d\"]}", TOKEN));
        assertEquals(413, tooMany.status());
        Reply type = api.handle(new Request("POST", "/analyze", Map.of(), TOKEN, "audio/mpeg", 2, () -> stream("{}")));
        assertEquals(415, type.status());
    }

    @Test
    void oversizedBodiesAre413EvenWhenTheirLengthIsNotDeclared() {
        String big = "{\"paths\": [\"/" + "a".repeat(2000) + "\"]}";
        Reply declared = api.handle(post("/analyze", big, TOKEN));
        assertEquals(413, declared.status());
        Reply chunked = api.handle(new Request("POST", "/analyze", Map.of(), TOKEN, "application/json", -1,
                () -> stream(big)));
        assertEquals(413, chunked.status());
        assertTrue(chunked.body().path("message").asText().contains("1024 bytes"));
        byte[] audio = new byte[5000];
        Reply upload = api.handle(new Request("POST", "/analyze/upload", Map.of("name", List.of("x.wav")), TOKEN,
                "application/octet-stream", -1, () -> new ByteArrayInputStream(audio)));
        assertEquals(413, upload.status());
        assertTrue(analysed.isEmpty());
    }

    @Test
    void analysisByPathAnswersEveryFileInOrderAndNamesTheMissingOne() throws Exception {
        Path song = Files.writeString(dir.resolve("a.mp3"), "x");
        Path missing = dir.resolve("gone.mp3");
        Reply r = api.handle(post("/analyze", "{\"paths\": [\"" + missing + "\", \"" + song + "\"]}", TOKEN));
        assertEquals(200, r.status());
        assertEquals(1, r.body().path("failed").asInt());
        JsonNode files = r.body().path("files");
        assertEquals(missing.toString(), files.get(0).path("file").asText());
        assertEquals("no such file", files.get(0).path("error").asText());
        assertEquals("rock", files.get(1).path("genre").asText());
        assertEquals("one@1.0.0", files.get(1).path("model").asText());
        assertEquals(1.5, files.get(1).path("temperature").asDouble());
        assertEquals(List.of(song), analysed);
    }

    @Test
    void anUploadIsAnalysedUnderItsOwnNameAndRemovedAfterwards() throws Exception {
        byte[] audio = new byte[3000];
        Reply r = api.handle(new Request("POST", "/analyze/upload", Map.of("name", List.of("../../etc/My Song.mp3")),
                TOKEN, "application/octet-stream", audio.length, () -> new ByteArrayInputStream(audio)));
        assertEquals(200, r.status(), r.body().toString());
        assertEquals("My_Song.mp3", r.body().path("files").get(0).path("file").asText());
        assertEquals(1, analysed.size());
        assertTrue(analysed.get(0).startsWith(dir.resolve("uploads")), analysed.get(0).toString());
        try (Stream<Path> left = Files.walk(dir.resolve("uploads"))) {
            assertEquals(1, left.count(), "the upload was not removed");
        }
    }

    @Test
    void aSwapAndANewTemperatureGoThroughTheirServices() {
        Reply swap = api.handle(put("/models/active", "{\"model\": \"other\"}", TOKEN));
        assertEquals(200, swap.status(), swap.body().toString());
        assertEquals("other@2.0.0", swap.body().path("model").asText());
        assertEquals("other", models.active.ref().id());
        Reply set = api.handle(put("/models/other/temperature", "{\"temperature\": 2.25}", TOKEN));
        assertEquals(200, set.status(), set.body().toString());
        assertEquals(2.25, set.body().path("temperature").asDouble());
        assertTrue(set.body().path("applied").asBoolean());
        assertEquals(2.25, api.handle(get("/models/other@2.0.0/temperature")).body().path("temperature").asDouble());
        Reply reset = api.handle(put("/models/other/temperature", "{\"reset\": true}", TOKEN));
        assertEquals(1.0, reset.body().path("temperature").asDouble());
        assertEquals(400, api.handle(put("/models/other/temperature", "{\"temperature\": -1}", TOKEN)).status());
        assertEquals(400, api.handle(put("/models/other/temperature", "{\"temperature\": \"hot\"}", TOKEN)).status());
        Reply nobody = api.handle(get("/models/nobody/temperature"));
        assertEquals(404, nobody.status());
        assertEquals("no_such_model", nobody.body().path("error").asText());
        Reply refused = api.handle(put("/models/active", "{\"model\": \"nobody\"}", TOKEN));
        assertEquals(422, refused.status());
        assertTrue(refused.body().path("message").asText().contains("nobody"));
    }

    @Test
    void unknownEndpointsAndWrongMethodsAreNamed() {
        Reply r = api.handle(get("/nothing"));
        assertEquals(404, r.status());
        assertTrue(r.body().path("message").asText().contains("/nothing"));
        Reply m = api.handle(get("/analyze"));
        assertEquals(405, m.status());
        assertFalse(m.body().path("message").asText().isEmpty());
    }

    private static Request get(String path) {
        return new Request("GET", path, Map.of(), null, null, -1, () -> stream(""));
    }

    private static Request post(String path, String body, String token) {
        return new Request("POST", path, Map.of(), token, "application/json",
                body.getBytes(StandardCharsets.UTF_8).length, () -> stream(body));
    }

    private static Request put(String path, String body, String token) {
        return new Request("PUT", path, Map.of(), token, "application/json; charset=utf-8",
                body.getBytes(StandardCharsets.UTF_8).length, () -> stream(body));
    }

    private static ByteArrayInputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ModelSpec spec(String id, String version) {
        return new ModelSpec(new ModelRef(id, version), "genre", id, LABELS, 22050, "none",
                new ModelSpec.Windowing(30, 1, "mean-probability"), "x", List.of(-1L, 3L), "y", 1, 0, 1.0, Map.of());
    }

    private final class FakeAnalyzer implements TrackAnalyzer {
        @Override
        public TrackAnalysis analyze(Path file, String modelId) {
            synchronized (analysed) {
                analysed.add(file);
            }
            ModelSpec s = models.active;
            GenrePrediction p = GenrePrediction.of(s.ref(), calibration.temperature(s.ref(), 1.5), LABELS,
                    new double[] {0.1, 0.2, 0.7}, 0.01);
            return new TrackAnalysis(file, null, p, List.of(p), new TrackAnalysis.Timings(1, 1, 1));
        }

        @Override
        public List<Outcome> analyzeAll(List<Path> files, String modelId) {
            return files.stream().map(f -> new Outcome(f, analyze(f, modelId), null)).toList();
        }
    }

    private static final class FakeModels implements ModelRepository {
        final List<ModelSpec> installed = List.of(spec("one", "1.0.0"), spec("other", "2.0.0"));
        volatile ModelSpec active = installed.get(0);

        @Override
        public List<ModelSpec> installed() {
            return installed;
        }

        @Override
        public Optional<ModelSpec> active(String task) {
            return Optional.of(active);
        }

        @Override
        public ModelLease lease(String task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModelLease lease(String id, String version) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ModelSpec install(Path pkg) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean uninstall(ModelRef ref) {
            return false;
        }

        @Override
        public ModelSpec activate(String id, String version) throws InferenceException {
            ModelSpec s = installed.stream().filter(m -> m.ref().id().equals(id)).findFirst()
                    .orElseThrow(() -> new InferenceException("no installed model " + id, null));
            active = s;
            return s;
        }
    }

    /** Settings the calibrator reads back at once (the real ones arrive through ConfigAdmin a moment later). */
    private static final class FakeCalibration implements Calibrator, TemperatureSettings {
        final Map<ModelRef, Double> configured = new ConcurrentHashMap<>();

        @Override
        public double temperature(ModelRef model, double packageDefault) {
            return configured.getOrDefault(model, packageDefault);
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault) {
            throw new UnsupportedOperationException();
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault,
                double temperature) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TemperatureFit fit(LabelledLogits data, CalibrationMethod method) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setTemperature(ModelRef model, double temperature, String fittedOn) throws TemperedException {
            configured.put(model, temperature);
        }

        @Override
        public boolean reset(ModelRef model) {
            return configured.remove(model) != null;
        }

        @Override
        public OptionalDouble minConfidence(ModelRef model) {
            return OptionalDouble.empty();
        }

        @Override
        public OptionalDouble previousTemperature(ModelRef model) {
            return OptionalDouble.empty();
        }
    }
}
