package dev.tempered.itests.foundation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Hashtable;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.util.tracker.ServiceTracker;

/** A ConfigAdmin change reaches a running component through @Modified: no deactivation, no new instance. */
class ConfigurationUpdateTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin configAdmin;

    @Test
    void configurationChangeIsAppliedWithoutRestart() throws Exception {
        Configuration config = configAdmin.getConfiguration(ProbeComponent.PID, "?");
        ServiceTracker<ProbeComponent, ProbeComponent> tracker = new ServiceTracker<>(context, ProbeComponent.class, null);
        tracker.open();
        try {
            config.update(new Hashtable<>(java.util.Map.of("value", "first")));
            ProbeComponent component = tracker.waitForService(10_000);
            waitFor(() -> component.value(), "first");
            int activations = ProbeComponent.ACTIVATIONS.get();
            int deactivations = ProbeComponent.DEACTIVATIONS.get();

            config.update(new Hashtable<>(java.util.Map.of("value", "second")));
            waitFor(() -> component.value(), "second");

            assertEquals(activations, ProbeComponent.ACTIVATIONS.get(), "the component was re-created");
            assertEquals(deactivations, ProbeComponent.DEACTIVATIONS.get(), "the component was deactivated");
            assertEquals(component, tracker.getService(), "a different instance serves now");
        } finally {
            tracker.close();
            config.delete();
        }
    }

    private static void waitFor(Supplier<String> actual, String expected) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!expected.equals(actual.get()) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, actual.get());
    }
}
