/**
 * Writing calibrated genre tags into audio files: plans, policy, results and the names of the fields Tempered owns.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.tempered.api.tag;
