package dev.tempered.api.calibration;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import java.util.OptionalDouble;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The calibration store: the one writer of a model's temperature and tag threshold (the calibration bundle's
 * ConfigAdmin configuration and its {@code deploy/config/dev.tempered.calibration-ID.cfg} file); the
 * {@link Calibrator} reads them from there, with the same validation. Behind {@code tempered calibrate}, the Gogo
 * commands, the host actions and the HTTP API.
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
     * @throws TemperedException for a temperature outside [0.01, 100] (the range the calibrator accepts), or when it
     *                           cannot be stored
     */
    void setTemperature(ModelRef model, double temperature, String fittedOn) throws TemperedException;

    /** Removes the model's configured temperature so the package default applies again; whether there was one. */
    boolean reset(ModelRef model) throws TemperedException;

    /** The tag policy threshold configured for the model, if any (what the {@link Calibrator} reads). */
    OptionalDouble minConfidence(ModelRef model);

    /**
     * The temperature the latest {@link #setTemperature} replaced (the configured one, else the package default),
     * while the configured temperature is still the one it stored; empty otherwise (never set, or edited since).
     *
     * @since 2.0
     */
    OptionalDouble previousTemperature(ModelRef model);
}
