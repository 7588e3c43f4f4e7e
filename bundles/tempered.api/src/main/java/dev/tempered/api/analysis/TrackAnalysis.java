package dev.tempered.api.analysis;

import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The calibrated result for one track.
 *
 * @param file       the track
 * @param audio      what the decoder found, or {@code null} when not known
 * @param prediction the windows combined as the model package says (e.g. the mean of calibrated distributions)
 * @param windows    the prediction of each analysis window, in time order
 * @param timings    where the time went
 * @param vectors    each window's vector: the package's embedding where its graph declares one (a convnet's
 *                   features), else the front end's output; {@link Vectors#NONE} when not kept
 */
public record TrackAnalysis(Path file, @Nullable AudioInfo audio, GenrePrediction prediction, List<GenrePrediction> windows,
        Timings timings, Vectors vectors) {
    public TrackAnalysis {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(prediction, "prediction");
        windows = List.copyOf(windows);
        vectors = vectors == null ? Vectors.NONE : vectors;
    }

    /** Without vectors. */
    public TrackAnalysis(Path file, @Nullable AudioInfo audio, GenrePrediction prediction, List<GenrePrediction> windows,
            Timings timings) {
        this(file, audio, prediction, windows, timings, Vectors.NONE);
    }

    /**
     * Named vectors, one row per analysis window.
     *
     * @since 1.1
     * @param names what each value is, e.g. {@code layer1_00} or {@code mfcc1_mean}
     * @param rows  {@code [windows][names.size()]}, copied in and out
     */
    public record Vectors(List<String> names, float[][] rows) {
        /** No vectors. */
        public static final Vectors NONE = new Vectors(List.of(), new float[0][]);

        public Vectors {
            names = List.copyOf(names);
            rows = copy(rows);
            for (float[] r : rows) {
                if (r.length != names.size()) {
                    throw new IllegalArgumentException("a row has " + r.length + " values for " + names.size()
                            + " names");
                }
            }
        }

        @Override
        public float[][] rows() {
            return copy(rows);
        }

        private static float[][] copy(float[][] rows) {
            float[][] out = new float[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                out[i] = rows[i].clone();
            }
            return out;
        }
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
