/**
 * Training a calibrated genre model of the user's own taxonomy on the user's own labelled music.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.tempered.api.training;
