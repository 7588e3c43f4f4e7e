package dev.tempered.launcher.cli;

import dev.tempered.api.TemperedException;
import dev.tempered.api.serve.HttpApi;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * {@code tempered serve}: the application with its HTTP API. Only this command starts the HTTP runtime (the
 * feature's {@code serve} group), on the address and port given here; the API itself is the tempered.http bundle's
 * {@link HttpApi} service.
 */
public final class ServeCommand implements Subcommand {
    /** The default port: unassigned by IANA, easy to type. */
    static final int DEFAULT_PORT = 8737;
    static final String TOKEN_FILE = "serve.token";

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "run the application with a local HTTP API (for beets and other tools)";
    }

    @Override
    public String usage() {
        return """
                Usage: tempered serve [--port N] [--bind ADDRESS]

                Runs the application with its HTTP API until Ctrl-C: analyse files (by path or upload), list and
                activate models, read and set temperatures, plan and apply tags (the policy, journal and index of
                tempered tag) and the review queue, as JSON. The API is described at /openapi.json.
                Every POST and PUT must carry the token written to $TEMPERED_HOME/serve.token (mode 0600, new at
                each start) in the X-Tempered-Token header. No other command opens a port.

                Options:
                  --port N          the TCP port (default 8737; 0 picks a free one, printed at start)
                  --bind ADDRESS    the address to listen on (default 127.0.0.1: this machine only). Anything else
                                    lets other machines reach the API; the token still guards every change.
                Example: tempered serve
                         curl -s http://127.0.0.1:8737/models
                         curl -s -H "X-Tempered-Token: $(cat ~/.tempered/serve.token)" \\
                              -d '{"paths": ["/music/song.mp3"]}' http://127.0.0.1:8737/analyze""";
    }

    @Override
    public Set<String> bundleGroups() {
        return Set.of("serve");
    }

    @Override
    public Map<String, String> frameworkProperties(List<String> args) throws UsageException {
        Options o = Options.parse(args);
        Map<String, String> p = new LinkedHashMap<>();
        // Felix HTTP Jetty's settings: plain HTTP on one address and port, no HTTPS, a bounded thread pool.
        p.put("org.apache.felix.http.enable", "true");
        p.put("org.apache.felix.https.enable", "false");
        p.put("org.apache.felix.http.host", o.bind);
        p.put("org.osgi.service.http.port", Integer.toString(o.port));
        p.put("org.apache.felix.http.jetty.threadpool.max", "32");
        p.put("org.apache.felix.http.jetty.sendServerHeader", "false");
        return p;
    }

    @Override
    public int run(List<String> args, CliContext context) throws Exception {
        Options o = Options.parse(args);
        HttpApi api = context.service(HttpApi.class, Duration.ofSeconds(30));
        HttpApi.Endpoint endpoint;
        try {
            endpoint = api.open(context.home().resolve(TOKEN_FILE), Duration.ofSeconds(30));
        } catch (TemperedException e) {
            context.err().println("tempered serve: " + e.getMessage() + " (is port " + o.port + " on " + o.bind
                    + " already in use? try --port)");
            return USAGE;
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (StopSignals signals = StopSignals.install(stop::countDown)) {
            context.out().println("Tempered API at " + endpoint.base() + " (OpenAPI: " + endpoint.base()
                    + "openapi.json)");
            context.out().println("Token for changes: " + endpoint.tokenFile() + " (header X-Tempered-Token)");
            if (!o.loopback) {
                context.err().println("tempered serve: warning: listening on " + o.bind
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

    /** The parsed arguments. */
    static final class Options {
        int port = DEFAULT_PORT;
        String bind = "127.0.0.1";
        boolean loopback = true;

        static Options parse(List<String> args) throws UsageException {
            Options o = new Options();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--port" -> {
                        String v = AnalyzeCommand.value(args, ++i, a);
                        try {
                            o.port = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new UsageException("--port must be a number, not '" + v + "'");
                        }
                        if (o.port < 0 || o.port > 65535) {
                            throw new UsageException("--port must be in 0..65535, not " + o.port);
                        }
                    }
                    case "--bind" -> o.bind = AnalyzeCommand.value(args, ++i, a);
                    default -> throw new UsageException("unknown argument '" + a + "' (see tempered serve --help)");
                }
            }
            try {
                InetAddress address = InetAddress.getByName(o.bind);
                o.loopback = address.isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new UsageException("--bind " + o.bind + ": no such address");
            }
            return o;
        }
    }
}
