package dev.tempered.shell.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import java.util.OptionalDouble;

/** Where a model's temperature and tag threshold are configured; the calibrator reads them from there. */
public interface TemperatureStore {
    /**
     * Stores a temperature for a model: in the configuration that applies to this version now, or in a new one for
     * the model id.
     *
     * @param fittedOn what it was fitted on, in words ("set by hand" for a manual value)
     */
    void setTemperature(ModelRef model, double temperature, String fittedOn) throws TemperedException;

    /** Removes the model's configured temperature so the package default applies again; whether there was one. */
    boolean reset(ModelRef model) throws TemperedException;

    /** The tag policy threshold configured for the model, if any. */
    OptionalDouble minConfidence(ModelRef model);
}
