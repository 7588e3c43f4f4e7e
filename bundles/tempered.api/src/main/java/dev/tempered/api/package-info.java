/**
 * Types shared by every Tempered contract: the checked domain exception, model references and
 * the home folder rule.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.tempered.api;
