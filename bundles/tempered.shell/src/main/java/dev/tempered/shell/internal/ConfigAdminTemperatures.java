package dev.tempered.shell.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Writes temperatures as the calibration bundle's factory configurations (factory PID
 * {@value #FACTORY_PID}, one per model id, properties {@code model.id}, {@code model.version},
 * {@code temperature}, {@code fitted.on}, {@code min.confidence}), so a value set here behaves exactly like one
 * dropped into {@code deploy/config} and FileInstall writes it back there.
 */
@Component(service = TemperatureStore.class)
public final class ConfigAdminTemperatures implements TemperatureStore {
    /** The calibration bundle's factory PID (see its ModelCalibrationConfig). */
    static final String FACTORY_PID = "dev.tempered.calibration";
    private final ConfigurationAdmin configAdmin;

    @Activate
    public ConfigAdminTemperatures(@Reference ConfigurationAdmin configAdmin) {
        this.configAdmin = configAdmin;
    }

    @Override
    public synchronized void setTemperature(ModelRef model, double temperature, String fittedOn)
            throws TemperedException {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new TemperedException(null, "a temperature must be a positive finite number, not " + temperature);
        }
        try {
            Configuration c = find(model).orElse(null);
            if (c == null) {
                // Named after the model id, as FileInstall names deploy/config/dev.tempered.calibration~ID.cfg.
                c = configAdmin.getFactoryConfiguration(FACTORY_PID, model.id(), "?");
            }
            Dictionary<String, Object> props = c.getProperties();
            if (props == null) {
                props = new Hashtable<>();
                props.put("model.id", model.id());
            }
            props.put("temperature", String.format(Locale.ROOT, "%.6f", temperature));
            props.put("fitted.on", fittedOn);
            c.update(props);
        } catch (IOException | InvalidSyntaxException e) {
            throw new TemperedException(null, "cannot store the temperature of " + model + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized boolean reset(ModelRef model) throws TemperedException {
        try {
            Optional<Configuration> c = find(model);
            if (c.isEmpty()) {
                return false;
            }
            c.get().delete();
            return true;
        } catch (IOException | InvalidSyntaxException e) {
            throw new TemperedException(null, "cannot reset the temperature of " + model + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OptionalDouble minConfidence(ModelRef model) {
        try {
            Optional<Configuration> c = find(model);
            Object v = c.map(Configuration::getProperties).map(p -> p.get("min.confidence")).orElse(null);
            if (v == null || v.toString().isBlank()) {
                return OptionalDouble.empty();
            }
            double d = Double.parseDouble(v.toString().trim());
            return d >= 0 && d <= 1 ? OptionalDouble.of(d) : OptionalDouble.empty();
        } catch (IOException | InvalidSyntaxException | NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    /** The configuration the calibrator uses for this version: one naming the version wins over one naming none. */
    private Optional<Configuration> find(ModelRef model) throws IOException, InvalidSyntaxException {
        Configuration[] all = configAdmin.listConfigurations(
                "(&(service.factoryPid=" + FACTORY_PID + ")(model.id=" + model.id() + "))");
        if (all == null) {
            return Optional.empty();
        }
        Configuration generic = null;
        for (Configuration c : all) {
            Object v = c.getProperties().get("model.version");
            String version = v == null ? "" : v.toString().trim();
            if (version.equals(model.version())) {
                return Optional.of(c);
            }
            if (version.isEmpty()) {
                generic = c;
            }
        }
        return Optional.ofNullable(generic);
    }
}
