package dev.tempered.api.training;

import java.nio.file.Path;
import java.time.Duration;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a training run tells its caller while it runs. Every method has a default that does nothing.
 *
 * @since 1.0
 */
@ConsumerType
public interface TrainingListener {
    /** Does nothing and never cancels. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** A stage begins, e.g. {@code embedding 18 tracks (3 cached)} or {@code training 5 heads}. */
    default void stage(String description) {
    }

    /**
     * One more track is embedded (decoded and run through the backbone, or found in the cache).
     *
     * @param eta the estimated time left for the tracks still to decode, from the pace so far
     */
    default void embedded(int done, int total, Path file, boolean cached, Duration eta) {
    }

    /** A warning the user should read (too few tracks, unmapped labels, a file that failed). */
    default void warning(String message) {
    }

    /** Asked between tracks and between epochs: true stops the run, which then writes nothing. */
    default boolean cancelled() {
        return false;
    }
}
