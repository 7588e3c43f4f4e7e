package dev.tempered.library.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.List;

/** Combines the calibrated predictions of a track's windows as its model package says. */
final class Combiner {
    static final String MEAN_PROBABILITY = "mean-probability";

    private Combiner() {
    }

    /**
     * {@code mean-probability}: the mean of the windows' calibrated distributions. The mutual information is the
     * mean of the windows' values: it keeps its meaning (how much the members disagree) and does not mix in how
     * much the windows differ from each other, which is music changing, not model uncertainty.
     */
    static GenrePrediction combine(Path file, String method, List<GenrePrediction> windows) throws TemperedException {
        if (windows.isEmpty()) {
            throw new TemperedException(file, "no analysis window could be decoded");
        }
        if (windows.size() == 1) {
            return windows.get(0);
        }
        String m = method == null || method.isBlank() ? MEAN_PROBABILITY : method;
        if (!m.equals(MEAN_PROBABILITY)) {
            throw new TemperedException(file, "the model asks for window combination '" + m
                    + "', which this version does not know (known: " + MEAN_PROBABILITY + ")");
        }
        GenrePrediction first = windows.get(0);
        double[] mean = new double[first.labels().size()];
        double mi = 0;
        for (GenrePrediction w : windows) {
            double[] p = w.probabilities();
            for (int c = 0; c < mean.length; c++) {
                mean[c] += p[c];
            }
            mi += w.mutualInformation();
        }
        for (int c = 0; c < mean.length; c++) {
            mean[c] /= windows.size();
        }
        return GenrePrediction.of(first.model(), first.temperature(), first.labels(), mean, mi / windows.size());
    }
}
