package dev.tempered.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReviewActionsTest {
    /** Records what the host asked for; the decisions themselves are the library's (tested there). */
    static final class Queue implements ReviewQueue {
        final List<String> calls = new ArrayList<>();
        boolean broken;

        @Override
        public List<Item> list(List<Path> paths) throws TemperedException {
            calls.add("list " + paths);
            if (broken) {
                throw new TemperedException(null, "the library index is in use by another tempered process");
            }
            return List.of(new Item(Path.of("/m/Jazz/a.flac"), "Jazz/a.flac", "Jazz", "Blues", 0.41, 0.02,
                    "confidence 0.41 < 0.50"));
        }

        private List<TagResult> results(String what, List<Path> paths) {
            calls.add(what + " " + paths);
            return paths.stream().map(p -> new TagResult(p, null, !p.toString().endsWith("b.flac"), what)).toList();
        }

        @Override
        public List<TagResult> accept(List<Path> paths) {
            return results("accept", paths);
        }

        @Override
        public List<TagResult> reject(List<Path> paths) {
            return results("reject", paths);
        }

        @Override
        public List<TagResult> clear(List<Path> paths) {
            return results("clear", paths);
        }
    }

    private final Queue queue = new Queue();
    private final Path a = Path.of("/m/Jazz/a.flac");
    private final Path b = Path.of("/m/Jazz/b.flac");

    @Test
    void listShowsTheQueueWithPathsOldGenreAndSuggestion() {
        ReviewListAction list = new ReviewListAction(queue);
        assertEquals(List.of("Tempered", "Review"), list.menuPath());
        assertTrue(list.appliesTo(List.of()), "the whole index without a selection");
        ActionResult r = list.run(List.of(), ProgressMonitor.NONE);
        assertEquals("1 file(s) waiting for review", r.summary());
        assertEquals("Jazz/a.flac", r.rows().get(0).get(Rows.FILE));
        assertEquals("Jazz", r.rows().get(0).get("genre now"));
        assertEquals("Blues", r.rows().get(0).get("suggestion"));
        assertEquals("0.410", r.rows().get(0).get(Rows.CONFIDENCE));
    }

    @Test
    void eachDecisionGoesToTheQueueServiceWithTheSelection() {
        for (ReviewAction action : List.of(new ReviewAcceptAction(queue), new ReviewRejectAction(queue),
                new ReviewClearAction(queue))) {
            assertFalse(action.appliesTo(List.of()), action.id() + " needs files");
            ActionResult r = action.run(List.of(a, b), ProgressMonitor.NONE);
            assertTrue(r.summary().endsWith("1 of 2 file(s) changed"), r.summary());
            assertEquals("yes", r.rows().get(0).get("changed"));
            assertEquals("no", r.rows().get(1).get("changed"));
        }
        assertEquals(List.of("accept " + List.of(a, b), "reject " + List.of(a, b), "clear " + List.of(a, b)),
                queue.calls);
    }

    @Test
    void aFailureOfTheServiceIsReportedForTheSelection() {
        queue.broken = true;
        ActionResult r = new ReviewListAction(queue).run(List.of(a), ProgressMonitor.NONE);
        assertTrue(r.summary().contains("in use by another tempered process"), r.summary());
        assertTrue(r.failures().get(a).contains("in use"), r.failures().toString());
    }
}
