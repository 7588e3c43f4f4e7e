package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The review queue in a host's "Tempered > Review" menu: the same four decisions as {@code tempered review}, each
 * the {@link ReviewQueue} service's; the host only passes its selection (files, or folders for everything under them).
 */
abstract class ReviewAction implements PluginAction {
    /** What the item does. */
    enum Kind {
        LIST("tempered.review.list", "Show files waiting for review"),
        ACCEPT("tempered.review.accept", "Accept Tempered's suggestion"),
        REJECT("tempered.review.reject", "Reject: leave these files alone"),
        CLEAR("tempered.review.clear", "Clear Tempered's fields");

        final String id;
        final String label;

        Kind(String id, String label) {
            this.id = id;
            this.label = label;
        }
    }

    private final ReviewQueue queue;
    private final Kind kind;

    ReviewAction(ReviewQueue queue, Kind kind) {
        this.queue = queue;
        this.kind = kind;
    }

    @Override
    public String id() {
        return kind.id;
    }

    @Override
    public String label() {
        return kind.label;
    }

    @Override
    public List<String> menuPath() {
        return List.of("Tempered", "Review");
    }

    @Override
    public boolean appliesTo(List<Path> selection) {
        // Listing needs no selection (then the whole index); decisions need files to decide about.
        return kind == Kind.LIST || !selection.isEmpty();
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public ActionResult run(List<Path> selection, ProgressMonitor monitor) {
        List<Path> paths = selection.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        monitor.progress(0, 1, kind.label);
        try {
            ActionResult r = kind == Kind.LIST ? list(paths) : decide(paths);
            monitor.progress(1, 1, "");
            return r;
        } catch (TemperedException e) {
            Map<Path, String> failures = new LinkedHashMap<>();
            paths.forEach(p -> failures.put(p, e.getMessage()));
            return new ActionResult(kind.label + " failed: " + e.getMessage(), List.of(), Optional.empty(), false,
                    failures);
        }
    }

    private ActionResult list(List<Path> paths) throws TemperedException {
        List<Map<String, String>> rows = new ArrayList<>();
        for (ReviewQueue.Item i : queue.list(paths)) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put(Rows.FILE, i.relativePath());
            row.put("genre now", i.genre() == null ? "" : i.genre());
            row.put("suggestion", i.suggestion());
            row.put(Rows.CONFIDENCE, Rows.fmt(i.confidence()));
            row.put(Rows.MI, Rows.fmt(i.mutualInformation()));
            row.put("reason", i.reason());
            rows.add(row);
        }
        return new ActionResult(rows.size() + " file(s) waiting for review", rows, Optional.empty(), false, Map.of());
    }

    private ActionResult decide(List<Path> paths) throws TemperedException {
        List<TagResult> results = switch (kind) {
            case ACCEPT -> queue.accept(paths);
            case REJECT -> queue.reject(paths);
            case CLEAR -> queue.clear(paths);
            case LIST -> throw new IllegalStateException();
        };
        List<Map<String, String>> rows = new ArrayList<>();
        int changed = 0;
        for (TagResult r : results) {
            Map<String, String> row = new LinkedHashMap<>();
            row.put(Rows.FILE, Selection.name(r.file()));
            row.put("changed", r.written() ? "yes" : "no");
            row.put("message", r.message());
            rows.add(row);
            changed += r.written() ? 1 : 0;
        }
        String verb = kind.name().toLowerCase(Locale.ROOT);
        return new ActionResult(String.format(Locale.ROOT, "%s: %d of %d file(s) changed", verb, changed,
                results.size()), rows, Optional.empty(), false, Map.of());
    }
}
