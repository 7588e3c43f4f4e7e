/**
 * Collection jobs: tag a whole library resumably, keep an index of what was analysed with which model and
 * temperature, and report on it.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.3.0")
package dev.tempered.api.library;
