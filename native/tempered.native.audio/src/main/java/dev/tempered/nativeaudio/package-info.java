/**
 * Services of the native audio bundle that other Tempered bundles use directly: sample-rate conversion.
 *
 * <p>Native libraries are found by JNA: libsndfile ({@code libsndfile.so.1}) and libsoxr ({@code libsoxr.so.0})
 * through the system's library path, the FFmpeg shim ({@code libtempered_ffmpeg.so}, built with this bundle
 * against FFmpeg 5.1) from inside the bundle. Set {@code jna.library.path} to use copies elsewhere.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.tempered.nativeaudio;
