package dev.tempered.launcher.cli;

import dev.tempered.api.TemperedException;
import dev.tempered.api.serve.HttpApi;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tempered serve}: the application with its HTTP API. Only this command starts the HTTP runtime (the
 * feature's {@code serve} group), on the address and port given here; the API itself is the tempered.http bundle's
 * {@link HttpApi} service.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"run the application with a local HTTP API (for beets and other tools)", "",
            "Runs the application with its HTTP API until Ctrl-C: analyse files (by path or upload), list and",
            "activate models, read and set temperatures, plan and apply tags (the policy, journal and index of",
            "tempered tag) and the review queue, as JSON. The API is described at /openapi.json.",
            "Every POST and PUT must carry the token written to $TEMPERED_HOME/serve.token (mode 0600, new at",
            "each start) in the X-Tempered-Token header. No other command opens a port."},
        footerHeading = "%nExamples:%n", footer = {"  tempered serve",
            "  curl -s http://127.0.0.1:8737/models",
            "  curl -s -H \"X-Tempered-Token: $(cat ~/.tempered/serve.token)\" \\",
            "       -d '{\"paths\": [\"/music/song.mp3\"]}' http://127.0.0.1:8737/analyze"})
public final class ServeCommand implements TemperedCommand {
    /** The default port: unassigned by IANA, easy to type. */
    static final int DEFAULT_PORT = 8737;
    static final String TOKEN_FILE = "serve.token";

    @Option(names = "--port", paramLabel = "N", description = "the TCP port (default 8737; 0 picks a free one, "
            + "printed at start)")
    int port = DEFAULT_PORT;

    @Option(names = "--bind", paramLabel = "ADDRESS", description = {"the address to listen on (default 127.0.0.1:"
            + " this machine only).", "Anything else lets other machines reach the API; the token still guards "
            + "every change."})
    String bind = "127.0.0.1";

    @Override
    public Set<String> bundleGroups() {
        return Set.of("serve");
    }

    @Override
    public Map<String, String> frameworkProperties() throws UsageException {
        check();
        Map<String, String> p = new LinkedHashMap<>();
        // Felix HTTP Jetty's settings: plain HTTP on one address and port, no HTTPS, a bounded thread pool.
        p.put("org.apache.felix.http.enable", "true");
        p.put("org.apache.felix.https.enable", "false");
        p.put("org.apache.felix.http.host", bind);
        p.put("org.osgi.service.http.port", Integer.toString(port));
        p.put("org.apache.felix.http.jetty.threadpool.max", "32");
        p.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        return p;
    }

    /** Whether the address is this machine's; also refuses a bad port or an unknown address. */
    boolean check() throws UsageException {
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be in 0..65535, not " + port);
        }
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new UsageException("--bind " + bind + ": no such address");
        }
    }

    @Override
    public int run(CliContext context) throws Exception {
        boolean loopback = check();
        HttpApi api = context.service(HttpApi.class, Duration.ofSeconds(30));
        HttpApi.Endpoint endpoint;
        try {
            endpoint = api.open(context.home().resolve(TOKEN_FILE), Duration.ofSeconds(30));
        } catch (TemperedException e) {
            context.err().println("tempered serve: " + e.getMessage() + " (is port " + port + " on " + bind
                    + " already in use? try --port)");
            return USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (StopSignals signals = StopSignals.install(stop::countDown)) {
            context.out().println("Tempered API at " + endpoint.base() + " (OpenAPI: " + endpoint.base()
                    + "openapi.json)");
            context.out().println("Token for changes: " + endpoint.tokenFile() + " (header X-Tempered-Token)");
            if (!loopback) {
                context.err().println("tempered serve: warning: listening on " + bind
                        + ", reachable from other machines");
            }
            context.out().println("Ctrl-C stops it.");
            context.out().flush();
            stop.await();
        } finally {
            api.close();
        }
        context.err().println("tempered serve: stopped");
        return OK;
    }
}
