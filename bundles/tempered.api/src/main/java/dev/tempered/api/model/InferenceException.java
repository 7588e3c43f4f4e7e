package dev.tempered.api.model;

import dev.tempered.api.TemperedException;

/** Running a model failed (bad input shape, runtime error). */
public class InferenceException extends TemperedException {
    private static final long serialVersionUID = 1L;

    public InferenceException(String message, Throwable cause) {
        super(null, message, cause);
    }
}
