package dev.tempered.itests.foundation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.test.common.annotation.InjectBundleContext;

/** Every bundle the application's feature lists is installed here and has started (fragments: resolved). */
class FeatureBundlesTest {
    @InjectBundleContext
    BundleContext context;

    @Test
    void everyFeatureBundleResolvesAndStarts() throws Exception {
        Path featureFile = Path.of(context.getProperty("tempered.feature"));
        assertTrue(Files.isRegularFile(featureFile), "assembled feature missing: " + featureFile);
        JsonNode feature = new ObjectMapper().readTree(Files.readAllBytes(featureFile));
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (JsonNode entry : feature.path("bundles")) {
            String[] gav = entry.path("id").asText().split(":");
            String fileName = "/" + gav[1] + "-" + gav[gav.length - 1] + ".jar";
            Bundle bundle = find(fileName);
            checked++;
            if (bundle == null) {
                problems.add(entry.path("id").asText() + ": not installed in the test framework");
                continue;
            }
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            // A lazily activated bundle (JNA) waits in STARTING until its first class is loaded.
            boolean lazy = Constants.ACTIVATION_LAZY.equals(bundle.getHeaders().get(Constants.BUNDLE_ACTIVATIONPOLICY));
            int expected = fragment ? Bundle.RESOLVED : Bundle.ACTIVE;
            boolean ok = bundle.getState() == expected || (lazy && bundle.getState() == Bundle.STARTING);
            if (!ok) {
                problems.add(bundle.getSymbolicName() + " is in state " + bundle.getState() + ", expected " + expected);
            }
        }
        assertTrue(checked > 20, "the feature lists only " + checked + " bundles");
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    @Test
    void apiPackagesComeFromTheApiBundle() {
        Bundle api = null;
        for (Bundle b : context.getBundles()) {
            if ("tempered.api".equals(b.getSymbolicName())) {
                api = b;
            }
        }
        assertTrue(api != null, "tempered.api is not installed");
        assertEquals(Bundle.ACTIVE, api.getState());
        String exports = api.getHeaders().get(Constants.EXPORT_PACKAGE);
        // Each at its own semantic version (calibration went to 2.0 when CalibrationFiles left the API).
        for (var e : java.util.Map.of("dev.tempered.api.audio", "1.", "dev.tempered.api.model", "1.",
                "dev.tempered.api.calibration", "2.", "dev.tempered.api.tag", "1.", "dev.tempered.api.plugin", "1.",
                "dev.tempered.api.features", "1.", "dev.tempered.api.workbench", "1.").entrySet()) {
            assertTrue(exports.contains(e.getKey() + ";version=\"" + e.getValue()), e.getKey()
                    + " is not exported at version " + e.getValue() + "x: " + exports);
        }
    }

    private Bundle find(String fileName) {
        for (Bundle b : context.getBundles()) {
            if (b.getLocation().endsWith(fileName)) {
                return b;
            }
        }
        return null;
    }
}
