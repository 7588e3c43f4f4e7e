package dev.tempered.api.audio;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a decoder learned about a file without decoding it whole.
 *
 * @param file            the file
 * @param container       the container format as recognised from the content, e.g. {@code mp3}, {@code flac},
 *                        {@code ogg}, {@code wav}, {@code aiff}, {@code mp4}
 * @param codec           the audio codec, e.g. {@code mp3}, {@code flac}, {@code vorbis}, {@code opus},
 *                        {@code pcm_s16le}, {@code aac}, {@code alac}
 * @param sampleRate      samples per second per channel, &gt; 0
 * @param channels        channel count, &gt; 0
 * @param frames          frames (samples per channel) in the file, or -1 when the decoder cannot tell cheaply
 * @param durationSeconds duration in seconds, &ge; 0
 * @param decoder         the name of the decoder that will read the file, e.g. {@code libsndfile}
 */
public record AudioInfo(Path file, String container, String codec, int sampleRate, int channels, long frames,
        double durationSeconds, String decoder) {
    public AudioInfo {
        Objects.requireNonNull(file, "file");
        if (sampleRate <= 0 || channels <= 0) {
            throw new IllegalArgumentException("sample rate and channels must be positive");
        }
    }
}
