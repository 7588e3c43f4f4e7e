package dev.tempered.shell.internal;

import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Calibrator;

/** Stores a temperature and waits until the calibrator uses it, so the very next analysis sees it. */
final class TemperatureChange {
    private static final long WAIT_MILLIS = 5_000;

    private TemperatureChange() {
    }

    /**
     * @return whether the calibrator reported the new value before the wait ran out (ConfigAdmin delivers
     *         configurations asynchronously)
     */
    static boolean apply(TemperatureSettings store, Calibrator calibrator, ModelRef model, double packageDefault,
            double temperature, String fittedOn) throws TemperedException {
        store.setTemperature(model, temperature, fittedOn);
        return awaitTemperature(calibrator, model, packageDefault, temperature);
    }

    static boolean awaitTemperature(Calibrator calibrator, ModelRef model, double packageDefault, double expected) {
        long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
        while (true) {
            // The store writes 6 decimals.
            if (Math.abs(calibrator.temperature(model, packageDefault) - expected) <= 1e-6 * Math.max(1, expected)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
