package dev.tempered.api.audio;

import java.util.List;
import java.util.Objects;

/**
 * What to decode: the sample rate and the time ranges analysis needs, so long files are never read whole.
 *
 * @param sampleRate the rate to resample to in Hz, or 0 for the file's own rate
 * @param mono       whether to downmix to one channel (the mean of the channels)
 * @param windows    the time ranges to decode, in order; empty means the whole file
 */
public record DecodeRequest(int sampleRate, boolean mono, List<TimeRange> windows) {
    public DecodeRequest {
        if (sampleRate < 0) {
            throw new IllegalArgumentException("sample rate must be >= 0: " + sampleRate);
        }
        windows = List.copyOf(Objects.requireNonNull(windows, "windows"));
    }

    /** The whole file, mono, at the given rate (0: the file's rate). */
    public static DecodeRequest wholeMono(int sampleRate) {
        return new DecodeRequest(sampleRate, true, List.of());
    }

    /**
     * A time range of a file in seconds.
     *
     * @param startSeconds    start, &ge; 0
     * @param durationSeconds length, &gt; 0; ranges past the end of the file are cut short
     */
    public record TimeRange(double startSeconds, double durationSeconds) {
        public TimeRange {
            if (!(startSeconds >= 0) || !(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
                throw new IllegalArgumentException("bad time range " + startSeconds + "+" + durationSeconds);
            }
        }
    }
}
