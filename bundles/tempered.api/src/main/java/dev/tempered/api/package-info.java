/**
 * Types shared by every Tempered contract: the checked domain exception and model references.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.api;
