package dev.tempered.itests.foundation;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;

/** A configured component that records its lifecycle, so a test can tell a @Modified from a restart. */
@Component(service = ProbeComponent.class, configurationPid = ProbeComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
public class ProbeComponent {
    static final String PID = "dev.tempered.itests.probe";
    static final AtomicInteger ACTIVATIONS = new AtomicInteger();
    static final AtomicInteger DEACTIVATIONS = new AtomicInteger();

    private volatile String value;

    @Activate
    public ProbeComponent(Map<String, Object> config) {
        ACTIVATIONS.incrementAndGet();
        modified(config);
    }

    @Modified
    void modified(Map<String, Object> config) {
        value = String.valueOf(config.get("value"));
    }

    @Deactivate
    void deactivate() {
        DEACTIVATIONS.incrementAndGet();
    }

    String value() {
        return value;
    }
}
