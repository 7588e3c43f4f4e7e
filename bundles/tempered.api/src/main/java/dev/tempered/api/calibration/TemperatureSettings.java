package dev.tempered.api.calibration;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import java.util.OptionalDouble;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a model's temperature and tag threshold are configured (the calibration bundle's ConfigAdmin
 * configuration and its {@code deploy/config} file); the {@link Calibrator} reads them from there. The one owner of
 * "set T by hand" for the Gogo commands, host actions and the HTTP API.
 *
 * @since 1.2
 */
@ProviderType
public interface TemperatureSettings {
    /**
     * Stores a temperature for a model: in the configuration that applies to this version now, or in a new one for
     * the model id. The calibrator applies it shortly after (ConfigAdmin delivers configurations asynchronously).
     *
     * @param fittedOn what it was fitted on, in words ("set by hand" for a manual value)
     * @throws TemperedException for a temperature that is not positive and finite, or when it cannot be stored
     */
    void setTemperature(ModelRef model, double temperature, String fittedOn) throws TemperedException;

    /** Removes the model's configured temperature so the package default applies again; whether there was one. */
    boolean reset(ModelRef model) throws TemperedException;

    /** The tag policy threshold configured for the model, if any. */
    OptionalDouble minConfidence(ModelRef model);
}
