package dev.tempered.shell.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.CalibrationFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.osgi.framework.BundleContext;
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
 * dropped into {@code deploy/config}. The value is also written to that folder's
 * {@code dev.tempered.calibration-ID.cfg} (or the file the configuration came from), because the application keeps
 * no ConfigAdmin state between runs: the file is what survives a restart. We write it ourselves instead of
 * letting FileInstall write configurations back ({@code felix.fileinstall.enableConfigSave}, off in the
 * application): its write-back rewrites a file it has just read, a second writer racing with the user's edits.
 */
@Component(service = {TemperatureStore.class, dev.tempered.api.calibration.TemperatureSettings.class})
public final class ConfigAdminTemperatures implements TemperatureStore {
    /** The calibration bundle's factory PID (see its ModelCalibrationConfig). */
    static final String FACTORY_PID = CalibrationFiles.FACTORY_PID;
    /** FileInstall's property for its watched folder; configurations live in its {@code config} subfolder. */
    static final String FILEINSTALL_DIR = "felix.fileinstall.dir";
    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";
    private static final Set<String> NOT_IN_FILE = Set.of("service.pid", "service.factoryPid", FILEINSTALL_FILENAME);
    private final ConfigurationAdmin configAdmin;
    /** Where new configuration files go; null when nothing is watched (ConfigAdmin only). */
    private final Path configDir;

    @Activate
    public ConfigAdminTemperatures(@Reference ConfigurationAdmin configAdmin, BundleContext context) {
        this(configAdmin, Optional.ofNullable(context.getProperty(FILEINSTALL_DIR)).map(d -> Path.of(d, "config"))
                .orElse(null));
    }

    ConfigAdminTemperatures(ConfigurationAdmin configAdmin, Path configDir) {
        this.configAdmin = configAdmin;
        this.configDir = configDir;
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
                // Named after the model id, as FileInstall names deploy/config/dev.tempered.calibration-ID.cfg.
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
            Path file = fileOf(model, props);
            if (file != null) {
                write(file, props);
            }
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
            Path file = fileOf(model, c.get().getProperties());
            c.get().delete();
            if (file != null) {
                Files.deleteIfExists(file);
            }
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

    /** The file a configuration came from, else the one FileInstall would read it from; null if none is watched. */
    private Path fileOf(ModelRef model, Dictionary<String, Object> props) {
        Object from = props == null ? null : props.get(FILEINSTALL_FILENAME);
        if (from != null) {
            return Path.of(URI.create(from.toString()));
        }
        return configDir == null ? null : CalibrationFiles.file(configDir, model.id());
    }

    /** Writes the configuration's own keys (sorted) through {@link CalibrationFiles#write}. */
    private static void write(Path file, Dictionary<String, Object> props) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> keys = Collections.list(props.keys());
        Collections.sort(keys);
        for (String key : keys) {
            if (!NOT_IN_FILE.contains(key)) {
                values.put(key, String.valueOf(props.get(key)));
            }
        }
        // The temporary file goes beside the watched deploy/ folder, where FileInstall does not look.
        Path deploy = file.toAbsolutePath().getParent().getParent();
        Path temp = deploy.getParent() == null ? deploy : deploy.getParent();
        CalibrationFiles.write(file, values, "Calibration of a Tempered model. Edits apply without restart.", temp);
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
