package dev.tempered.api.features;

import dev.tempered.api.audio.DecodedAudio;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Turns decoded mono audio into a model's input vector; registered as a service with the property
 * {@code tempered.frontend} equal to {@link #type()}, which model packages name in their {@code frontEnd}.
 * Thread-safe.
 */
@ConsumerType
public interface FrontEnd {
    /** The front-end type a model package asks for, e.g. {@code librosa-descriptors}. */
    String type();

    /** The sample rate in Hz the input must have. */
    int sampleRate();

    /** The names of the output values, in order. */
    java.util.List<String> featureNames();

    /**
     * Computes one vector per segment of {@code audio}, which must be mono at {@link #sampleRate()}.
     *
     * @return {@code [segments][featureNames().size()]}
     * @throws IllegalArgumentException if the audio is not mono at the right rate, or a segment is empty
     */
    float[][] compute(DecodedAudio audio);
}
