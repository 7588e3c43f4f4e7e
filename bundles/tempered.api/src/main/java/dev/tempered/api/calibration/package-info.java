/**
 * Temperature scaling, calibrated predictions and the calibration metrics of the 2023 paper (ECE, reliability-diagram MAE, NLL, Brier).
 *
 * <p>2.0: CalibrationFiles left the API (its file writing belongs to the calibration store behind
 * {@link dev.tempered.api.calibration.TemperatureSettings}); TemperatureSettings gained previousTemperature.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("2.0.0")
package dev.tempered.api.calibration;
