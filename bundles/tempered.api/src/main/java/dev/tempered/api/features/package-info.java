/**
 * Front ends that turn decoded audio into the input vector a model expects.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.api.features;
