/**
 * Menu actions a host application shows for Tempered, with progress and cancellation.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.api.plugin;
