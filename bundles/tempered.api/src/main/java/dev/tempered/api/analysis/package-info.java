/**
 * Analysing whole tracks: decode the model's windows, compute its front end, run the ensemble, calibrate and
 * combine the windows into one prediction.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.tempered.api.analysis;
