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
 * {@link #modified} and apply to the next prediction; a temperature outside [{@value #MIN_TEMPERATURE},
 * {@value #MAX_TEMPERATURE}] is refused with a logged reason and the previous value stays.
 */
@Component(service = ModelCalibration.class, configurationPid = ModelCalibration.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = ModelCalibrationConfig.class, factory = true)
public final class ModelCalibration {
    /** The factory PID; each configuration names one model id. */
    public static final String FACTORY_PID = "dev.tempered.calibration";
    private static final Logger LOG = LoggerFactory.getLogger(ModelCalibration.class);
    /**
     * The sane range of T. Logits divided by 1e-320 overflow to infinity (every probability NaN); by 1e308 they
     * vanish (every distribution uniform). Fitted temperatures lie in [e^-4, e^4] (the fitter's search range);
     * nothing useful lies outside [0.01, 100].
     */
    public static final double MIN_TEMPERATURE = 0.01;
    public static final double MAX_TEMPERATURE = 100;

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
        String refusal = temperatureProblem(text, parsed);
        if (refusal == null) {
            t = parsed;
        } else {
            LOG.error("Calibration of {}: refused temperature '{}' ({}); keeping {}", id, text, refusal,
                    Double.isNaN(t) ? "the package default" : t);
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

    /** Why a temperature is refused, or null when it is acceptable. */
    static String temperatureProblem(String text, double t) {
        if (Double.isNaN(t)) {
            return text.isEmpty() ? "no value" : "not a number";
        }
        if (!(t >= MIN_TEMPERATURE && t <= MAX_TEMPERATURE)) {
            return "outside the sane range [" + MIN_TEMPERATURE + ", " + MAX_TEMPERATURE + "]: probabilities would be"
                    + (t < MIN_TEMPERATURE ? " NaN or one-hot" : " uniform");
        }
        return null;
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
