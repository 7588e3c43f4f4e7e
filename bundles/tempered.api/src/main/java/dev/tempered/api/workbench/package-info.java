/**
 * Labelled data for measuring and calibrating models: feature and logits CSVs and folders of the user's own music
 * labelled by folder names or genre tags, loaded once for evaluate, calibrate and the calibration study.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.api.workbench;
