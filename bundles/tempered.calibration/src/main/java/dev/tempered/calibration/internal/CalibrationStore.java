package dev.tempered.calibration.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
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
 * The one owner of the per-model calibration configuration: it writes temperatures as this bundle's factory
 * configurations (factory PID
 * {@value #FACTORY_PID}, one per model id, properties {@code model.id}, {@code model.version},
 * {@code temperature}, {@code fitted.on}, {@code min.confidence}), so a value set here behaves exactly like one
 * dropped into {@code deploy/config}. The value is also written to that folder's
 * {@code dev.tempered.calibration-ID.cfg} (or the file the configuration came from), because the application keeps
 * no ConfigAdmin state between runs: the file is what survives a restart. We write it ourselves instead of
 * letting FileInstall write configurations back ({@code felix.fileinstall.enableConfigSave}, off in the
 * application): its write-back rewrites a file it has just read, a second writer racing with the user's edits.
 */
@Component(service = TemperatureSettings.class)
public final class CalibrationStore implements TemperatureSettings {
    /** The calibration bundle's factory PID (see its ModelCalibrationConfig). */
    static final String FACTORY_PID = CfgFiles.FACTORY_PID;
    /** The key of the temperature a calibration replaced (read by {@link #previousTemperature}). */
    static final String PREVIOUS = "previous.temperature";
    /** The key of the temperature that replaced it. */
    static final String PREVIOUS_FOR = "previous.replaced.by";
    /** FileInstall's property for its watched folder; configurations live in its {@code config} subfolder. */
    static final String FILEINSTALL_DIR = "felix.fileinstall.dir";
    private static final String FILEINSTALL_FILENAME = "felix.fileinstall.filename";
    private static final Set<String> NOT_IN_FILE = Set.of("service.pid", "service.factoryPid", FILEINSTALL_FILENAME);
    private final ConfigurationAdmin configAdmin;
    /** Where new configuration files go; null when nothing is watched (ConfigAdmin only). */
    private final Path configDir;

    /** Reads what the configurations say: the one reader, which also validates what they hold. */
    private final Calibrator calibrator;
    /** The package defaults, for the temperature a first calibration replaces; may be absent. */
    private final ModelRepository repository;

    @Activate
    public CalibrationStore(@Reference ConfigurationAdmin configAdmin, @Reference Calibrator calibrator,
            @Reference(cardinality = org.osgi.service.component.annotations.ReferenceCardinality.OPTIONAL)
            ModelRepository repository, BundleContext context) {
        this(configAdmin, calibrator, repository, Optional.ofNullable(context.getProperty(FILEINSTALL_DIR))
                .map(d -> Path.of(d, "config")).orElse(null));
    }

    CalibrationStore(ConfigurationAdmin configAdmin, Calibrator calibrator, ModelRepository repository,
            Path configDir) {
        this.configAdmin = configAdmin;
        this.calibrator = calibrator;
        this.repository = repository;
        this.configDir = configDir;
    }

    @Override
    public synchronized void setTemperature(ModelRef model, double temperature, String fittedOn)
            throws TemperedException {
        // The same check as the reader's, so what is stored is what will be applied.
        String problem = ModelCalibration.temperatureProblem(Double.toString(temperature), temperature);
        if (problem != null) {
            throw new TemperedException(null, "temperature " + temperature + " for " + model + " refused: " + problem);
        }
        try {
            double before = inUse(model);
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
            if (!Double.isNaN(before)) {
                // The T in use before, so that evaluate can show old and new side by side.
                props.put(PREVIOUS, String.format(Locale.ROOT, "%.6f", before));
                // What replaced it: a later hand edit of temperature makes the pair stale.
                props.put(PREVIOUS_FOR, String.format(Locale.ROOT, "%.6f", temperature));
            }
            props.put("temperature", String.format(Locale.ROOT, "%.6f", temperature));
            props.put("fitted.on", fittedOn);
            props.put("fitted.at", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .toString());
            Object pinned = props.get("model.version");
            if (pinned != null && !pinned.toString().isBlank() && !pinned.toString().trim().equals(model.version())) {
                // T was fitted on this version's logits; a pin to another version would silently ignore it.
                props.put("model.version", model.version());
            }
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
        return calibrator.minConfidence(model);
    }

    @Override
    public OptionalDouble previousTemperature(ModelRef model) {
        try {
            Optional<Configuration> c = find(model);
            if (c.isEmpty()) {
                return OptionalDouble.empty();
            }
            Dictionary<String, Object> props = c.get().getProperties();
            double previous = number(props.get(PREVIOUS));
            double written = number(props.get(PREVIOUS_FOR));
            double now = configured(model);
            if (Double.isNaN(now)) {
                return OptionalDouble.empty();
            }
            // Only while the configured T is still the one we stored with it (a hand edit since makes it stale).
            boolean stillOurs = Math.abs(written - now) <= 1e-5 * Math.max(1, now);
            return stillOurs && previous > 0 && Math.abs(previous - now) > 1e-9 ? OptionalDouble.of(previous)
                    : OptionalDouble.empty();
        } catch (IOException | InvalidSyntaxException e) {
            return OptionalDouble.empty();
        }
    }

    /** The T the calibrator applies to the model now: configured, else the package default; NaN if unknown. */
    private double inUse(ModelRef model) {
        double configured = configured(model);
        if (!Double.isNaN(configured)) {
            return configured;
        }
        ModelRepository r = repository;
        return r == null ? Double.NaN : r.installed().stream().filter(s -> s.ref().equals(model))
                .mapToDouble(ModelSpec::defaultTemperature).findFirst().orElse(Double.NaN);
    }

    /** The configured T the calibrator applies, or NaN when the package default applies. */
    private double configured(ModelRef model) {
        // The calibrator answers the default it is given when nothing is configured; this one no package can have.
        double t = calibrator.temperature(model, NO_DEFAULT);
        return t == NO_DEFAULT ? Double.NaN : t;
    }

    private static final double NO_DEFAULT = Double.MIN_VALUE;

    private static double number(Object v) {
        try {
            return v == null ? Double.NaN : Double.parseDouble(v.toString().trim());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** The file a configuration came from, else the one FileInstall would read it from; null if none is watched. */
    private Path fileOf(ModelRef model, Dictionary<String, Object> props) {
        Object from = props == null ? null : props.get(FILEINSTALL_FILENAME);
        if (from != null) {
            return Path.of(URI.create(from.toString()));
        }
        return configDir == null ? null : CfgFiles.file(configDir, model.id());
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
        CfgFiles.write(file, values, "Calibration of a Tempered model, written by Tempered. Edits apply without restart;\n"
                + "a temperature outside [0.01, 100] is refused and the previous value kept.", temp);
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
