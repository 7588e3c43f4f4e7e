package dev.tempered.calibration.internal;

import dev.tempered.api.ModelRef;
import java.util.OptionalDouble;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model's calibration, created per factory configuration and picked up by the calibrator. Edits arrive in
 * {@link #modified} and apply to the next prediction; a temperature that is not a positive finite number is
 * refused and the previous value stays.
 */
@Component(service = ModelCalibration.class, configurationPid = ModelCalibration.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ModelCalibrationConfig.class, factory = true)
public final class ModelCalibration {
    /** The factory PID; each configuration names one model id. */
    public static final String FACTORY_PID = "dev.tempered.calibration";
    private static final Logger LOG = LoggerFactory.getLogger(ModelCalibration.class);

    /**
     * What one configuration says now.
     *
     * @param modelId       the model id, or null when the configuration names none that is valid
     * @param version       a version, or empty for all
     * @param temperature   T, or NaN when none was ever accepted (the package default applies then)
     * @param fittedOn      a description of the fitting data
     * @param minConfidence the policy threshold, if set
     */
    public record State(String modelId, String version, double temperature, String fittedOn,
            OptionalDouble minConfidence) {
        boolean matches(ModelRef ref) {
            return ref.id().equals(modelId) && (version.isEmpty() || version.equals(ref.version()));
        }
    }

    private volatile State state = new State(null, "", Double.NaN, "", OptionalDouble.empty());

    @Activate
    public ModelCalibration(ModelCalibrationConfig config) {
        modified(config);
    }

    /** Applies an edited configuration; invalid values are logged and the previous ones kept. */
    @Modified
    void modified(ModelCalibrationConfig config) {
        State old = state;
        String id = trim(config.model_id());
        if (id.isEmpty() || !id.matches("[a-z0-9][a-z0-9._-]*")) {
            LOG.error("Calibration configuration without a valid model.id ('{}'): ignored", id);
            id = old.modelId();
        }
        double t = old.temperature();
        String text = trim(config.temperature());
        double parsed = parse(text);
        if (parsed > 0 && Double.isFinite(parsed)) {
            t = parsed;
        } else {
            LOG.error("Calibration of {}: refused temperature '{}' (must be a positive finite number); keeping {}",
                    id, text, Double.isNaN(t) ? "the package default" : t);
        }
        OptionalDouble min = old.minConfidence();
        String minText = trim(config.min_confidence());
        if (minText.isEmpty()) {
            min = OptionalDouble.empty();
        } else {
            double m = parse(minText);
            if (m >= 0 && m <= 1) {
                min = OptionalDouble.of(m);
            } else {
                LOG.error("Calibration of {}: refused min.confidence '{}' (must be in [0, 1])", id, minText);
            }
        }
        State next = new State(id, trim(config.model_version()), t, trim(config.fitted_on()), min);
        state = next;
        if (!next.equals(old)) {
            LOG.info("Calibration of {}{}: T={} fitted on '{}'", id,
                    next.version().isEmpty() ? "" : "@" + next.version(), t, next.fittedOn());
        }
    }

    /** The current values; one volatile read, so a caller sees one consistent configuration. */
    public State state() {
        return state;
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
