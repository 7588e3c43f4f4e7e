package dev.tempered.api.audio;

import java.util.List;
import java.util.Objects;

/**
 * Decoded PCM: one segment per requested time range (or one for the whole file).
 *
 * @param info       what was known about the file
 * @param sampleRate the rate of the samples in {@code segments}, Hz
 * @param channels   channels per frame in {@code segments}: 1 when the request asked for mono
 * @param segments   the decoded ranges, in request order
 */
public record DecodedAudio(AudioInfo info, int sampleRate, int channels, List<Segment> segments) {
    public DecodedAudio {
        Objects.requireNonNull(info, "info");
        segments = List.copyOf(segments);
    }

    /** Total decoded duration over all segments, in seconds. */
    public double decodedSeconds() {
        long frames = 0;
        for (Segment s : segments) {
            frames += s.frames(channels);
        }
        return frames / (double) sampleRate;
    }

    /**
     * One decoded range.
     *
     * @param startSeconds where the segment starts in the file
     * @param samples      interleaved float samples in [-1, 1] (copied on the way in and out)
     */
    public record Segment(double startSeconds, float[] samples) {
        public Segment {
            samples = samples.clone();
        }

        @Override
        public float[] samples() {
            return samples.clone();
        }

        /** The number of samples, without copying them. */
        public int length() {
            return samples.length;
        }

        /** Frames in this segment for the given channel count. */
        public int frames(int channels) {
            return samples.length / channels;
        }

        /** Reads samples into {@code dest} without exposing the internal array. */
        public void copyTo(int from, float[] dest, int destPos, int count) {
            System.arraycopy(samples, from, dest, destPos, count);
        }
    }
}
