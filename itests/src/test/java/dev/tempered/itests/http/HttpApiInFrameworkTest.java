package dev.tempered.itests.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.serve.HttpApi;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The HTTP API as {@code tempered serve} runs it: Felix HTTP Jetty on loopback (a free port), the tempered.http
 * servlet over the real services, the shipped descriptor models and ffmpeg-made clips of the committed fixtures.
 * Requests go through a real HTTP client; the beets plugin runs in Debian's beets against a library the test makes.
 */
class HttpApiInFrameworkTest {
    private static final String INFERENCE_PID = "dev.tempered.inference";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "gtzan-mlp";
    private static final String OTHER = "gtzan-mlp-mcd";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @InjectService(timeout = 10_000)
    ModelRepository repository;

    @InjectService(timeout = 30_000)
    HttpApi api;

    private Path work;
    private Configuration inference;
    private HttpApi.Endpoint endpoint;
    private String token;
    private Path clip;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void serveTheShippedModels() throws Exception {
        work = Files.createTempDirectory("tempered-http-it-");
        Path models = Files.createDirectories(work.resolve("models"));
        inference = configAdmin.getConfiguration(INFERENCE_PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("modelDirs", new String[] {models.toString()});
        props.put("pollMillis", 100L);
        props.put("intraOpThreads", 1);
        inference.update(props);
        Path repo = Path.of(context.getProperty("tempered.repo"));
        for (String id : List.of(MODEL, OTHER)) {
            Path staged = Files.createDirectories(work.resolve("staging-" + id));
            try (Stream<Path> files = Files.list(repo.resolve("models").resolve(id))) {
                for (Path f : files.toList()) {
                    Files.copy(f, staged.resolve(f.getFileName()));
                }
            }
            Files.move(staged, models.resolve(id));
        }
        await(() -> {
            try {
                // The previous test's packages may still be listed while the repository notices they are gone.
                repository.activate(MODEL, null);
                return repository.installed().stream().filter(s -> s.ref().id().startsWith(MODEL)).count() == 2;
            } catch (Exception e) {
                return false;
            }
        }, "both shipped descriptor models are installed, " + MODEL + " active");
        clip = ffmpeg(repo.resolve("fixtures/gtzan/blues.00099.mp3"), work.resolve("blues.mp3"), 4);
        endpoint = api.open(work.resolve("home/serve.token"), Duration.ofSeconds(30));
        token = Files.readString(endpoint.tokenFile()).trim();
    }

    @AfterEach
    void tearDown() throws Exception {
        api.close();
        inference.delete();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void analyseSwapAModelAndChangeTOverLoopback() throws Exception {
        assertTrue(InetAddress.getByName(endpoint.base().getHost()).isLoopbackAddress(), endpoint.base().toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint.tokenFile())));
        JsonNode doc = send("GET", "openapi.json", null, null, 200);
        assertTrue(doc.path("paths").has("/analyze"), "the OpenAPI document lists /analyze");

        // Refused without (or with a wrong) token, and nothing changed.
        HttpResponse<String> refused = raw("PUT", "models/active", "{\"model\": \"" + OTHER + "\"}", null);
        assertEquals(401, refused.statusCode());
        assertTrue(refused.body().contains("X-Tempered-Token"), refused.body());
        assertEquals(403, raw("POST", "analyze", analyseBody(clip), "not-the-token").statusCode());
        assertEquals(MODEL, repository.active("genre").orElseThrow().ref().id());

        JsonNode first = send("POST", "analyze", analyseBody(clip), token, 200).path("files").get(0);
        assertEquals(MODEL + "@1.0.0", first.path("model").asText(), first.toString());
        double c = first.path("confidence").asDouble();
        assertTrue(c > 0 && c <= 1, first.toString());

        byte[] bytes = Files.readAllBytes(clip);
        HttpResponse<String> up = http.send(HttpRequest.newBuilder(endpoint.base().resolve("analyze/upload?name=b.mp3"))
                .header(HttpApi.TOKEN_HEADER, token).POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, up.statusCode(), up.body());
        JsonNode uploaded = JSON.readTree(up.body()).path("files").get(0);
        assertEquals("b.mp3", uploaded.path("file").asText());
        assertEquals(first.path("distribution"), uploaded.path("distribution"), "upload and path analyse alike");

        JsonNode swapped = send("PUT", "models/active", "{\"model\": \"" + OTHER + "\"}", token, 200);
        assertEquals(OTHER + "@1.0.0", swapped.path("model").asText());
        assertEquals(OTHER + "@1.0.0", send("POST", "analyze", analyseBody(clip), token, 200).path("files").get(0)
                .path("model").asText());

        JsonNode set = send("PUT", "models/" + OTHER + "/temperature", "{\"temperature\": 3.5}", token, 200);
        try {
            assertTrue(set.path("applied").asBoolean(), set.toString());
            JsonNode hot = send("POST", "analyze", analyseBody(clip), token, 200).path("files").get(0);
            assertEquals(3.5, hot.path("temperature").asDouble(), 1e-9, hot.toString());
            assertEquals(3.5, send("GET", "models/" + OTHER + "/temperature", null, null, 200)
                    .path("temperature").asDouble(), 1e-9);
        } finally {
            send("PUT", "models/" + OTHER + "/temperature", "{\"reset\": true}", token, 200);
        }

        // Clear 4xx errors for bad requests.
        HttpResponse<String> bad = raw("POST", "analyze", "{\"paths\": [", token);
        assertEquals(400, bad.statusCode());
        assertEquals("bad_json", JSON.readTree(bad.body()).path("error").asText());
        HttpResponse<String> big = raw("POST", "analyze", "{\"paths\": [\"/" + "a".repeat(2 * 1024 * 1024) + "\"]}",
                token);
        assertEquals(413, big.statusCode(), big.body());
        assertEquals(404, raw("GET", "models/nobody/temperature", null, null).statusCode());
    }

    @Test
    void planAndApplyTagsThroughTheTagPolicyAndReadTheReviewQueue() throws Exception {
        Path folder = Files.createDirectories(work.resolve("library"));
        Path song = Files.copy(clip, folder.resolve("song.mp3"));
        byte[] before = Files.readAllBytes(song);
        String body = "{\"paths\": [\"" + folder + "\"], \"minConfidence\": 0}";
        JsonNode plan = send("POST", "tag/plan", body, token, 200);
        assertTrue(plan.path("dryRun").asBoolean());
        assertEquals("write", plan.path("files").get(0).path("decision").asText(), plan.toString());
        assertEquals(0, plan.path("written").asInt());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(song)), "a plan changed the file");
        JsonNode applied = send("POST", "tag/apply", body, token, 200);
        assertEquals(1, applied.path("written").asInt(), applied.toString());
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(song)), "apply wrote nothing");
        String genre = applied.path("files").get(0).path("genreAfter").asText();
        assertFalse(genre.isEmpty(), applied.toString());
        JsonNode review = send("GET", "review?path=" + folder, null, null, 200);
        assertTrue(review.path("items").isArray());
    }

    /**
     * 4 clients x 200 requests (every fourth an analysis of a 2 s clip, the rest reads of the models and a
     * temperature), 0 failures, while the active model is swapped back and forth.
     */
    @Test
    void fourClientsTwoHundredRequestsEachWhileTheModelIsSwapped() throws Exception {
        int clients = 4;
        int requests = 200;
        String body = analyseBody(ffmpeg(clip, work.resolve("short.mp3"), 2));
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> modelsSeen = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger swaps = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < requests; i++) {
                    try {
                        if (i % 4 != 0) {
                            HttpResponse<String> r = i % 2 == 1 ? raw("GET", "models", null, null)
                                    : raw("GET", "models/" + MODEL + "/temperature", null, null);
                            if (r.statusCode() != 200 || JSON.readTree(r.body()).isEmpty()) {
                                failures.add(r.statusCode() + " " + r.body());
                            }
                            continue;
                        }
                        HttpResponse<String> r = raw("POST", "analyze", body, token);
                        JsonNode f = JSON.readTree(r.body()).path("files").path(0);
                        if (r.statusCode() != 200 || f.has("error") || !f.has("genre")) {
                            failures.add(r.statusCode() + " " + r.body());
                        } else {
                            modelsSeen.add(f.path("model").asText());
                        }
                    } catch (IOException | InterruptedException e) {
                        failures.add(e.toString());
                    }
                }
                return null;
            }));
        }
        Thread swapper = new Thread(() -> {
            while (running.get()) {
                String id = swaps.get() % 2 == 0 ? OTHER : MODEL;
                try {
                    HttpResponse<String> r = raw("PUT", "models/active", "{\"model\": \"" + id + "\"}", token);
                    if (r.statusCode() != 200) {
                        failures.add("swap: " + r.statusCode() + " " + r.body());
                    }
                    swaps.incrementAndGet();
                    Thread.sleep(200);
                } catch (IOException | InterruptedException e) {
                    failures.add("swap: " + e);
                    return;
                }
            }
        });
        swapper.start();
        for (Future<?> f : done) {
            f.get(5, TimeUnit.MINUTES);
        }
        running.set(false);
        swapper.join(30_000);
        pool.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "HTTP load: %d clients x %d requests (a quarter analyses of a 2 s clip) in %.1f s (%.0f requests/s)"
                + " with %d model swaps, %d failures%n", clients, requests, seconds, clients * requests / seconds,
                swaps.get(), failures.size());
        assertTrue(failures.isEmpty(), failures.size() + " failures, first: " + failures.peek());
        assertTrue(swaps.get() >= 2, "the model was swapped " + swaps.get() + " times");
        assertEquals(2, modelsSeen.stream().distinct().count(), "analyses saw only " + modelsSeen.stream().distinct()
                .toList() + " across the swaps");
    }

    @Test
    void theBeetsPluginFillsCalibratedGenresInALibraryTheTestMakes() throws Exception {
        Path repo = Path.of(context.getProperty("tempered.repo"));
        Path music = Files.createDirectories(work.resolve("music"));
        ffmpeg(repo.resolve("fixtures/gtzan/blues.00099.mp3"), music.resolve("blues.mp3"), 5);
        ffmpeg(repo.resolve("fixtures/fma/000002.mp3"), music.resolve("hiphop.mp3"), 5);
        Path beets = Files.createDirectories(work.resolve("beets"));
        Files.writeString(beets.resolve("config.yaml"), String.join("\n",
                "directory: " + music,
                "library: " + beets.resolve("library.db"),
                "pluginpath: [" + repo.resolve("integrations/beets") + "]",
                "plugins: tempered",
                "import: {copy: no, write: no, autotag: no}",
                "tempered:",
                "  url: " + endpoint.base(),
                "  token_file: " + endpoint.tokenFile(),
                "  command: ''",
                "  threshold: 0.0",
                "  genre: fill-empty", ""));
        beet(beets, "import", "-A", "-q", music.toString());
        beet(beets, "modify", "-y", "genre=My Own Genre", "path:" + music.resolve("blues.mp3"));

        String pretend = beet(beets, "tempered", "--pretend");
        assertTrue(pretend.contains("would change"), pretend);
        assertTrue(pretend.contains("'' -> "), "the item without a genre would get one: " + pretend);
        // beets prints an unset field's name.
        assertEquals("", beet(beets, "ls", "-f", "$tempered_genre").replace("$tempered_genre", "").trim(),
                "--pretend stored something");

        String run = beet(beets, "tempered");
        assertTrue(run.contains("2 items changed, 0 failed"), run);
        String listing = beet(beets, "ls", "-f", "$path|$genre|$tempered_genre|$tempered_confidence|$tempered_model"
                + "|$tempered_distribution");
        for (String line : listing.strip().split("\n")) {
            String[] f = line.split("\\|", -1);
            assertEquals(6, f.length, line);
            double confidence = Double.parseDouble(f[3]);
            assertTrue(confidence > 0 && confidence <= 1, line);
            assertTrue(f[4].startsWith(MODEL + "@1.0.0 T="), line);
            assertEquals(5, f[5].split(";").length, line);
            if (f[0].endsWith("blues.mp3")) {
                assertEquals("My Own Genre", f[1], "the librarian's genre was overwritten: " + line);
            } else {
                assertEquals(f[2], f[1], "the empty genre was not filled: " + line);
            }
        }
    }

    private String beet(Path beets, String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of("beet"));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("BEETSDIR", beets.toString());
        pb.environment().put("HOME", beets.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("Debian's beets is needed (scripts/setup-debian.sh --test installs it): " + e);
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "beet " + String.join(" ", args) + " hangs");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "beet " + String.join(" ", args) + ":\n" + text);
        return text;
    }

    private static Path ffmpeg(Path from, Path to, int seconds) throws Exception {
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-t", Integer.toString(seconds), "-i",
                from.toString(), "-map_metadata", "-1", "-c:a", "libmp3lame", "-q:a", "4", to.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "ffmpeg failed: " + out);
        return to;
    }

    private static String analyseBody(Path file) throws IOException {
        return JSON.writeValueAsString(java.util.Map.of("paths", List.of(file.toString())));
    }

    private JsonNode send(String method, String path, String body, String tok, int expected) throws Exception {
        HttpResponse<String> r = raw(method, path, body, tok);
        assertEquals(expected, r.statusCode(), method + " " + path + ": " + r.body());
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> raw(String method, String path, String body, String tok)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.base() + path))
                .timeout(Duration.ofSeconds(120)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (tok != null) {
            b.header(HttpApi.TOKEN_HEADER, tok);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
