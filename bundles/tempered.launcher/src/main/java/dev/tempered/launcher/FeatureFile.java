package dev.tempered.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The deployable set read from {@code features/app.json}, a Sling/OSGi feature JSON whose bundle ids are Maven
 * coordinates; the assembly holds each bundle as {@code bundles/<artifactId>-<version>.jar}.
 */
record FeatureFile(String id, Map<String, String> frameworkProperties, List<BundleEntry> bundles) {

    /**
     * One bundle of the feature.
     *
     * @param groupId        Maven group
     * @param artifactId     Maven artifact
     * @param version        Maven version
     * @param startOrder     bundles start in increasing order, then in file order
     * @param providedByHost whether the launcher shares this bundle's packages from its classpath instead of
     *                       installing it (the API, so host code and bundles see the same classes)
     * @param startWith      null: started by every command; else the name of a group of bundles that are installed
     *                       always but started only by a command that asks for the group (Jetty: only
     *                       {@code tempered serve} opens a port)
     */
    record BundleEntry(String groupId, String artifactId, String version, int startOrder, boolean providedByHost,
            String startWith) {
        BundleEntry(String groupId, String artifactId, String version, int startOrder, boolean providedByHost) {
            this(groupId, artifactId, version, startOrder, providedByHost, null);
        }

        String fileName() {
            return artifactId + "-" + version + ".jar";
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    static FeatureFile read(Path file) throws IOException {
        JsonNode root = new ObjectMapper().readTree(Files.readAllBytes(file));
        Map<String, String> props = new LinkedHashMap<>();
        JsonNode fp = root.path("framework-properties");
        for (Iterator<Map.Entry<String, JsonNode>> it = fp.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            props.put(e.getKey(), e.getValue().asText());
        }
        List<BundleEntry> bundles = new ArrayList<>();
        for (JsonNode b : root.path("bundles")) {
            String[] gav = b.path("id").asText().split(":");
            if (gav.length < 3) {
                throw new IOException(file + ": bundle id must be group:artifact:version, got " + b.path("id"));
            }
            bundles.add(new BundleEntry(gav[0], gav[1], gav[gav.length - 1],
                    Integer.parseInt(b.path("start-order").asText("1")),
                    b.path("provided-by-host").asBoolean(false) || "true".equals(b.path("provided-by-host").asText()),
                    b.hasNonNull("start-with") ? b.get("start-with").asText() : null));
        }
        // A stable sort keeps file order within one start order.
        bundles.sort(Comparator.comparingInt(BundleEntry::startOrder));
        return new FeatureFile(root.path("id").asText(), Map.copyOf(props), List.copyOf(bundles));
    }
}
