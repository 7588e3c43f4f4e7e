package dev.tempered.library.internal;

import dev.tempered.api.audio.DecodeRequest.TimeRange;
import dev.tempered.api.model.ModelSpec.Windowing;
import java.util.ArrayList;
import java.util.List;

/** Where a model's analysis windows fall in a track. */
final class WindowPlan {
    /**
     * How much longer than a whole number of windows a track may be and still get that number: containers report
     * the same music a few milliseconds apart (Opus pre-skip, MP3 encoder padding: a 60 s FLAC is a 60.0065 s
     * Opus), and one more window for those milliseconds changed the confidence by container.
     */
    static final double TOLERANCE_SECONDS = 0.25;

    private WindowPlan() {
    }

    /**
     * A track no longer than one window is analysed whole (an empty list asks the loader for the whole file);
     * a longer one gets as many windows as it takes to cover it, at most {@code maxWindows}, spread evenly from
     * its start to its end, so neither the intro nor the fade-out alone decides a genre.
     */
    static List<TimeRange> plan(double durationSeconds, Windowing windowing) {
        double w = windowing.windowSeconds();
        if (!(durationSeconds > w)) {
            return List.of();
        }
        int fit = (int) Math.ceil((durationSeconds - TOLERANCE_SECONDS) / w);
        int n = Math.max(1, Math.min(windowing.maxWindows(), fit));
        List<TimeRange> out = new ArrayList<>(n);
        if (n == 1) {
            // One window on a longer track: the middle is the most typical part.
            out.add(new TimeRange((durationSeconds - w) / 2, w));
            return out;
        }
        double step = (durationSeconds - w) / (n - 1);
        for (int i = 0; i < n; i++) {
            out.add(new TimeRange(i * step, w));
        }
        return out;
    }
}
