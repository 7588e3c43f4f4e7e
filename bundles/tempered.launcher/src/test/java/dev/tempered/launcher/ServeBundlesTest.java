package dev.tempered.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;

/**
 * The HTTP runtime of the feature (Felix HTTP Jetty 12, {@code start-with: serve}) is installed by every command but
 * started, and so opens a port, only for a command that asks for the {@code serve} group. Real bundles in a real
 * embedded Felix; ports are read from the kernel's socket table for this process.
 */
class ServeBundlesTest {
    /** The bundles the HTTP runtime needs, in start order, and which of them only serve starts. */
    private static final String[][] BUNDLES = {
        {"org.ow2.asm", "asm", "1", null}, {"org.ow2.asm", "asm-tree", "1", null},
        {"org.ow2.asm", "asm-analysis", "1", null}, {"org.ow2.asm", "asm-commons", "1", null},
        {"org.ow2.asm", "asm-util", "1", null},
        {"org.apache.aries.spifly", "org.apache.aries.spifly.dynamic.bundle", "1", null},
        {"org.slf4j", "slf4j-simple", "2", null}, {"org.slf4j", "slf4j-api", "2", null},
        {"org.apache.felix", "org.apache.felix.http.servlet-api", "3", null},
        {"commons-io", "commons-io", "3", null}, {"commons-fileupload", "commons-fileupload", "3", null},
        {"org.apache.felix", "org.apache.felix.http.jetty12", "6", "serve"},
    };

    @TempDir
    Path dir;

    @Test
    void onlyTheServeGroupStartsTheHttpRuntimeAndOpensAPort() throws Exception {
        // EmbeddedFramework exports the API from its bundle jar's manifest, which a reactor run stopped before
        // `package` (mvn test) does not have yet; mvn verify and single-module runs have it.
        Path api = Path.of(dev.tempered.api.TemperedException.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(api), "the API is a classes folder here ("
                + api + "): run mvn verify");
        Path app = assemble();
        Set<Long> before = listeningSockets();
        try (EmbeddedFramework fw = start(app, Set.of(), Map.of())) {
            Bundle jetty = jetty(fw);
            assertNotEquals(Bundle.ACTIVE, jetty.getState(), "a command without the serve group started Jetty");
            Thread.sleep(1000);
            Set<Long> opened = new HashSet<>(listeningSockets());
            opened.removeAll(before);
            assertEquals(Set.of(), opened, "a command without the serve group opened a port");
        }
        try (EmbeddedFramework fw = start(app, Set.of("serve"),
                Map.of("org.osgi.service.http.port", "0", "org.apache.felix.http.host", "127.0.0.1"))) {
            assertEquals(Bundle.ACTIVE, jetty(fw).getState());
            long deadline = System.nanoTime() + 20_000_000_000L;
            Set<Long> opened = new HashSet<>();
            while (opened.isEmpty() && System.nanoTime() < deadline) {
                opened = new HashSet<>(listeningSockets());
                opened.removeAll(before);
                Thread.sleep(50);
            }
            assertEquals(1, opened.size(), "serve's HTTP runtime should listen on one port");
        }
    }

    private EmbeddedFramework start(Path app, Set<String> groups, Map<String, String> props) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        return EmbeddedFramework.start(app, dir.resolve("home"), false, false, quiet, quiet, false, groups, props);
    }

    private static Bundle jetty(EmbeddedFramework fw) {
        for (Bundle b : fw.framework().getBundleContext().getBundles()) {
            if ("org.apache.felix.http.jetty12".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("Jetty is not installed");
    }

    /** An application folder holding the bundles above, named as the assembly names them, and its feature. */
    private Path assemble() throws IOException {
        Path app = dir.resolve("app");
        Files.createDirectories(app.resolve("bundles"));
        Files.createDirectories(app.resolve("features"));
        StringBuilder json = new StringBuilder("{\"id\": \"t:t:slingosgifeature:app:1\", \"bundles\": [");
        for (int i = 0; i < BUNDLES.length; i++) {
            String[] b = BUNDLES[i];
            Path jar = onClasspath(b[1]);
            String version = jar.getParent().getFileName().toString();
            Files.copy(jar, app.resolve("bundles").resolve(b[1] + "-" + version + ".jar"));
            json.append(i == 0 ? "" : ",").append("{\"id\": \"").append(b[0]).append(':').append(b[1]).append(':')
                    .append(version).append("\", \"start-order\": \"").append(b[2]).append('"')
                    .append(b[3] == null ? "" : ", \"start-with\": \"" + b[3] + "\"").append('}');
        }
        Files.writeString(app.resolve("features/app.json"), json.append("]}").toString());
        return app;
    }

    /** The jar of an artifact on the test classpath (Maven's repository layout: .../ARTIFACT/VERSION/ARTIFACT-VERSION.jar). */
    private static Path onClasspath(String artifactId) {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (p.getFileName().toString().startsWith(artifactId + "-") && p.getParent() != null
                    && p.getParent().getParent() != null
                    && p.getParent().getParent().getFileName().toString().equals(artifactId)) {
                return p;
            }
        }
        throw new AssertionError(artifactId + " is not on the test classpath");
    }

    /** Inodes of the TCP sockets this process listens on (/proc/net/tcp{,6} state 0A, matched to our fds). */
    static Set<Long> listeningSockets() throws IOException {
        Set<Long> ours = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        ours.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // Closed meanwhile.
                }
            }
        }
        Set<Long> listening = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path t = Path.of(table);
            if (!Files.exists(t)) {
                continue;
            }
            List<String> lines = new ArrayList<>(Files.readAllLines(t));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("0A") && ours.contains(Long.parseLong(f[9]))) {
                    listening.add(Long.parseLong(f[9]));
                }
            }
        }
        return listening;
    }
}
