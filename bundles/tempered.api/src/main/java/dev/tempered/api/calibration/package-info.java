/**
 * Temperature scaling, calibrated predictions and the calibration metrics of the 2023 paper (ECE, reliability-diagram MAE, NLL, Brier).
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.tempered.api.calibration;
