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
    void oneWindowModelsTakeTheMiddle() {
        List<TimeRange> r = WindowPlan.plan(100, new Windowing(30, 1, "mean-probability"));
        assertEquals(1, r.size());
        assertEquals(35, r.get(0).startSeconds(), 1e-9);
    }
}
