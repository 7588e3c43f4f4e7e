package dev.tempered.api.library;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where a collection job stands.
 *
 * @param phase        what it is doing
 * @param found        audio files found so far
 * @param toAnalyse    files that need analysis (the rest are up to date in the index)
 * @param done         files finished (analysed, written or failed) among {@code toAnalyse}
 * @param failed       files that failed so far
 * @param audioSeconds seconds of audio in the finished files
 * @param elapsedNanos time since the job started
 * @param current      the file finished last, or {@code null}
 */
public record TagJobProgress(Phase phase, int found, int toAnalyse, int done, int failed, double audioSeconds,
        long elapsedNanos, @Nullable Path current) {
    /** The phases of a job. */
    public enum Phase {
        /** Walking the folders and recognising audio. */
        SCANNING,
        /** Decoding, analysing and writing. */
        ANALYSING,
        /** Writing the reports. */
        REPORTING,
        /** Finished (or cancelled). */
        DONE
    }

    /** Finished files per minute so far, 0 before the first. */
    public double filesPerMinute() {
        return elapsedNanos <= 0 ? 0 : done * 60e9 / elapsedNanos;
    }

    /** Seconds of audio analysed per second of wall time so far. */
    public double realTimeFactor() {
        return elapsedNanos <= 0 ? 0 : audioSeconds * 1e9 / elapsedNanos;
    }

    /** Estimated seconds left at the rate so far, or -1 when unknown. */
    public double etaSeconds() {
        if (done == 0 || phase != Phase.ANALYSING) {
            return -1;
        }
        return (toAnalyse - done) * (elapsedNanos / 1e9) / done;
    }
}
