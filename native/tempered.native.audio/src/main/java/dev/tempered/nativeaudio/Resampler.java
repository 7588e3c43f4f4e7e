package dev.tempered.nativeaudio;

import org.osgi.annotation.versioning.ProviderType;

/** Converts interleaved float PCM from one sample rate to another; thread-safe. */
@ProviderType
public interface Resampler {
    /** A short name for reports, e.g. {@code soxr}. */
    String name();

    /**
     * Resamples a whole signal in one go, flushing the filter at the end.
     *
     * @param interleaved samples, {@code frames * channels} long
     * @param channels    channels per frame, &gt; 0
     * @param fromRate    the input rate in Hz, &gt; 0
     * @param toRate      the output rate in Hz, &gt; 0
     * @return {@code round(frames * toRate / fromRate)} frames at {@code toRate}; the input itself when the rates are equal
     * @throws IllegalArgumentException for a non-positive rate or channel count, or a length that is not a whole
     *                                  number of frames
     */
    float[] resample(float[] interleaved, int channels, int fromRate, int toRate);
}
