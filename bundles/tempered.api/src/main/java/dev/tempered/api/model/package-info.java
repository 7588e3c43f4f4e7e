/**
 * Ensemble models, their packages and the repository that installs, activates and hot-swaps them.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.tempered.api.model;
