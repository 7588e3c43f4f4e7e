/**
 * Decoding audio files into PCM: decoder providers, the loader that picks one, and what they return. Decoders that load native code live in bundles that are installed once and never refreshed.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.api.audio;
