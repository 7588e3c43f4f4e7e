package dev.tempered.api.calibration;

import dev.tempered.api.TemperedException;

/** Fitting or evaluating calibration failed on degenerate input (empty set, one class only, non-finite logits). */
public class CalibrationException extends TemperedException {
    private static final long serialVersionUID = 1L;

    public CalibrationException(String message) {
        super(null, message);
    }
}
