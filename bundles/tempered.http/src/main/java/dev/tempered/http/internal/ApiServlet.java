package dev.tempered.http.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.TemperedHome;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.serve.HttpApi;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API as one servlet on the OSGi servlet whiteboard (Jakarta Servlet, Felix HTTP Jetty 12): it bounds
 * body sizes and concurrent requests and hands each request to {@link Api}. It answers only where a whiteboard
 * runtime listens; {@code tempered serve} is the only command that starts one.
 */
@Component(service = {Servlet.class, HttpApi.class}, configurationPid = ApiServlet.PID, property = {
    "osgi.http.whiteboard.servlet.pattern=/*", "osgi.http.whiteboard.servlet.name=tempered-api"})
@Designate(ocd = ApiServlet.Config.class)
public final class ApiServlet extends HttpServlet implements HttpApi {
    static final String PID = "dev.tempered.http";
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);

    /** Bounds of the HTTP API. */
    @ObjectClassDefinition(name = "Tempered HTTP API", description = "Bounds on the requests of tempered serve")
    public @interface Config {
        @AttributeDefinition(description = "Largest JSON request body, in KiB")
        int maxJsonKiB() default 1024;

        @AttributeDefinition(description = "Largest uploaded audio file, in MiB")
        int maxUploadMiB() default 200;

        @AttributeDefinition(description = "Most paths one request may name")
        int maxPaths() default 1000;

        @AttributeDefinition(description = "Requests served at once; more wait up to queueSeconds, then get 503")
        int maxConcurrent() default 4;

        @AttributeDefinition(description = "How long a request waits for a free slot before 503")
        int queueSeconds() default 30;
    }

    private final transient Api api;
    private final transient Semaphore slots;
    private final long queueMillis;
    private final transient BundleContext context;
    private volatile String token;
    private transient Path tokenFile;

    @Activate
    public ApiServlet(@Reference TrackAnalyzer analyzer, @Reference ModelRepository repository,
            @Reference Calibrator calibrator, @Reference TemperatureSettings settings,
            @Reference CollectionTagger tagger, @Reference ReviewQueue review, Config config, BundleContext context) {
        Path home = TemperedHome.resolve(context.getProperty(TemperedHome.PROPERTY));
        this.api = new Api(analyzer, repository, calibrator, settings, tagger, review,
                new Api.Limits(Math.max(1, config.maxJsonKiB()) * 1024, Math.max(1, config.maxUploadMiB()) * 1024L * 1024L,
                        Math.max(1, config.maxPaths())), home.resolve("cache").resolve("uploads"), () -> token);
        this.slots = new Semaphore(Math.max(1, config.maxConcurrent()), true);
        this.queueMillis = Math.max(0, config.queueSeconds()) * 1000L;
        this.context = context;
    }

    @Deactivate
    void deactivate() {
        close();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Reply reply;
        boolean acquired = false;
        try {
            acquired = slots.tryAcquire(queueMillis, TimeUnit.MILLISECONDS);
            if (!acquired) {
                reply = Reply.error(503, "busy", "the server is busy (" + slots.availablePermits()
                        + " free of its concurrent requests after " + queueMillis / 1000 + " s): try again");
            } else {
                reply = api.handle(request(req));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply = Reply.error(503, "stopping", "the server is stopping");
        } catch (RuntimeException e) {
            LOG.warn("{} {} failed", req.getMethod(), req.getRequestURI(), e);
            reply = Reply.error(500, "internal_error", String.valueOf(e));
        } finally {
            if (acquired) {
                slots.release();
            }
        }
        if (reply.status() >= 400) {
            drain(req);
        }
        resp.setStatus(reply.status());
        resp.setContentType("application/json");
        resp.setCharacterEncoding("UTF-8");
        if (reply.status() >= 400) {
            // A refused request's body may be unread: the client must not send its next request on this connection.
            resp.setHeader("Connection", "close");
        }
        if (reply.status() == 401) {
            resp.setHeader("WWW-Authenticate", "Bearer");
        }
        byte[] bytes = Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(reply.body());
        resp.setContentLength(bytes.length + 1);
        try (OutputStream out = resp.getOutputStream()) {
            out.write(bytes);
            out.write('\n');
        }
    }

    private static Request request(HttpServletRequest req) {
        String path = req.getPathInfo() != null ? req.getPathInfo() : req.getServletPath();
        Map<String, List<String>> query = new LinkedHashMap<>();
        // From the query string only: the container's parameter map would consume a form-typed JSON body.
        String q = req.getQueryString();
        if (q != null) {
            for (String pair : q.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                query.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        String token = req.getHeader(TOKEN_HEADER);
        String auth = req.getHeader("Authorization");
        if (token == null && auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = auth.substring(7).trim();
        }
        return new Request(req.getMethod(), path, query, token, req.getContentType(), req.getContentLengthLong(),
                req::getInputStream);
    }

    @Override
    public synchronized Endpoint open(Path file, Duration wait) throws TemperedException {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        writeToken(file, fresh);
        token = fresh;
        tokenFile = file;
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "no HTTP runtime is running (only tempered serve starts one)";
        while (true) {
            for (URI base : endpoints()) {
                URI probe = base.resolve("openapi.json");
                try {
                    HttpURLConnection c = (HttpURLConnection) probe.toURL().openConnection();
                    c.setConnectTimeout(1000);
                    c.setReadTimeout(5000);
                    int code = c.getResponseCode();
                    c.disconnect();
                    if (code == 200) {
                        return new Endpoint(base, file);
                    }
                    last = probe + " answered " + code;
                } catch (IOException e) {
                    last = probe + ": " + e.getMessage();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TemperedException(null, "the HTTP API did not come up within " + wait.toSeconds()
                        + " s: " + last);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TemperedException(null, "interrupted while waiting for the HTTP API");
            }
        }
    }

    /** The whiteboard runtimes' endpoints ({@code osgi.http.endpoint}), with a wildcard address made loopback. */
    private List<URI> endpoints() {
        List<URI> out = new ArrayList<>();
        try {
            for (String type : List.of("org.osgi.service.servlet.runtime.HttpServiceRuntime",
                    "org.osgi.service.http.runtime.HttpServiceRuntime")) {
                for (ServiceReference<?> ref : orEmpty(context.getAllServiceReferences(type, null))) {
                    Object v = ref.getProperty("osgi.http.endpoint");
                    List<String> urls = v instanceof String[] a ? List.of(a) : v instanceof java.util.Collection<?> c
                            ? c.stream().map(String::valueOf).toList() : v == null ? List.of() : List.of(v.toString());
                    for (String u : urls) {
                        String fixed = u.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:");
                        URI uri = URI.create(fixed.endsWith("/") ? fixed : fixed + "/");
                        if (!out.contains(uri)) {
                            out.add(uri);
                        }
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException | IllegalArgumentException e) {
            LOG.warn("cannot read the HTTP runtime's endpoints", e);
        }
        return out;
    }

    private static ServiceReference<?>[] orEmpty(ServiceReference<?>[] refs) {
        return refs == null ? new ServiceReference<?>[0] : refs;
    }

    /** Written to a temporary file created with mode 0600, then moved in place: never readable by others. */
    private static void writeToken(Path file, String value) throws TemperedException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                throw new IOException("another serve is writing " + temp);
            }
            Files.writeString(temp, value + "\n");
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UnsupportedOperationException e) {
            throw new TemperedException(file, "cannot write the API token: " + e.getMessage(), e);
        }
    }

    /** How much of a refused request's unread body is read and dropped before the answer. */
    static final long DRAIN_BYTES = 8L << 20;

    /**
     * Reads and drops what is left of a refused request's body, up to {@link #DRAIN_BYTES}: a server that answers
     * and closes while the client still sends makes the client's TCP stack see a reset and lose the answer (a 2 MB
     * body got "no bytes" instead of its 413). Beyond the bound the connection is closed unread.
     */
    private static void drain(HttpServletRequest req) {
        try {
            java.io.InputStream in = req.getInputStream();
            byte[] buf = new byte[64 << 10];
            long left = DRAIN_BYTES;
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException | IllegalStateException e) {
            // Already read as a reader, or the client went away: nothing left to drain.
        }
    }

    @Override
    public synchronized void close() {
        token = null;
        if (tokenFile != null) {
            try {
                Files.deleteIfExists(tokenFile);
            } catch (IOException e) {
                LOG.warn("cannot delete the API token {}: {}", tokenFile, e.getMessage());
            }
            tokenFile = null;
        }
    }
}
