package dev.tempered.api.analysis;

import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The calibrated result for one track.
 *
 * @param file       the track
 * @param audio      what the decoder found
 * @param prediction the windows combined as the model package says (e.g. the mean of calibrated distributions)
 * @param windows    the prediction of each analysis window, in time order
 * @param timings    where the time went
 */
public record TrackAnalysis(Path file, AudioInfo audio, GenrePrediction prediction, List<GenrePrediction> windows,
        Timings timings) {
    public TrackAnalysis {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(prediction, "prediction");
        windows = List.copyOf(windows);
    }

    /**
     * Wall-clock time per stage, in nanoseconds.
     *
     * @param decodeNanos    probing, decoding and resampling the windows
     * @param featuresNanos  the front end
     * @param inferenceNanos the ensemble and calibration
     */
    public record Timings(long decodeNanos, long featuresNanos, long inferenceNanos) {
    }
}
