package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.DecodeRequest.TimeRange;
import dev.tempered.api.model.ModelSpec.Windowing;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowPlanTest {
    private final Windowing w = new Windowing(30, 3, "mean-probability");

    @Test
    void aTrackNoLongerThanOneWindowIsAnalysedWhole() {
        assertTrue(WindowPlan.plan(30, w).isEmpty());
        assertTrue(WindowPlan.plan(12.5, w).isEmpty());
    }

    @Test
    void aLongTrackGetsMaxWindowsFromStartToEnd() {
        List<TimeRange> r = WindowPlan.plan(210, w);
        assertEquals(3, r.size());
        assertEquals(0, r.get(0).startSeconds(), 1e-9);
        assertEquals(90, r.get(1).startSeconds(), 1e-9);
        assertEquals(180, r.get(2).startSeconds(), 1e-9);
        assertEquals(210, r.get(2).startSeconds() + r.get(2).durationSeconds(), 1e-9);
    }

    @Test
    void aSlightlyLongerTrackGetsOnlyTheWindowsItNeeds() {
        List<TimeRange> r = WindowPlan.plan(40, w);
        assertEquals(2, r.size());
        assertEquals(10, r.get(1).startSeconds(), 1e-9);
    }

    @Test
    void theSameMusicGetsTheSameWindowsWhateverTheContainerAddsOrTakes() {
        // A 60 s FLAC and its Opus copy (60.0065 s: the encoder's pre-skip), a 30 s clip and its MP3 (30.05 s).
        assertEquals(2, WindowPlan.plan(60.0, w).size());
        assertEquals(2, WindowPlan.plan(60.0065, w).size());
        assertEquals(2, WindowPlan.plan(59.99, w).size());
        assertEquals(1, WindowPlan.plan(30.05, w).size());
        assertEquals(3, WindowPlan.plan(61, w).size(), "a second more is more music: it gets its window");
        List<TimeRange> r = WindowPlan.plan(60.0065, w);
        assertEquals(60.0065, r.get(1).startSeconds() + r.get(1).durationSeconds(), 1e-9, "still ends at the end");
    }

    @Test
    void oneWindowModelsTakeTheMiddle() {
        List<TimeRange> r = WindowPlan.plan(100, new Windowing(30, 1, "mean-probability"));
        assertEquals(1, r.size());
        assertEquals(35, r.get(0).startSeconds(), 1e-9);
    }
}
