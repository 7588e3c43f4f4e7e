/**
 * JNA bindings and the decoders built on them. Not exported: other bundles see only the services.
 */
package dev.tempered.nativeaudio.internal;
