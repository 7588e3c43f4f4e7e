package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.plugin.ProgressMonitor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A selection's analysis windows labelled by the files' own genre tags, through the collection service, so the
 * host reads tags exactly as {@code tempered evaluate/calibrate --labels-from tags} does (the same genre mapping,
 * the same refusal of genres Tempered wrote, the index's stored logits).
 *
 * @param data     one row per analysis window
 * @param windows  windows per file that contributed
 * @param failures files left out, with the reason
 * @param cancelled whether the monitor stopped the analysis (then {@code data} may be null)
 */
record TaggedSelection(LabelledLogits data, Map<Path, Integer> windows, Map<Path, String> failures,
        boolean cancelled) {

    static TaggedSelection collect(CollectionTagger tagger, List<Path> selection, ProgressMonitor monitor)
            throws TemperedException {
        List<Path> files = selection.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        LabelledLogits data;
        try {
            data = tagger.labelled(files, null, LabelSource.TAGS, null, listener(monitor));
        } catch (TemperedException e) {
            if (monitor.isCancelled()) {
                return new TaggedSelection(null, Map.of(), Map.of(), true);
            }
            throw e;
        }
        Map<Path, Integer> windows = new LinkedHashMap<>();
        for (String name : data.rowNames()) {
            windows.merge(Path.of(name), 1, Integer::sum);
        }
        Map<Path, String> failures = new LinkedHashMap<>();
        Map<Path, LibraryEntry> entries = new LinkedHashMap<>();
        for (LibraryEntry e : tagger.entries(files)) {
            entries.put(e.file(), e);
        }
        for (Path f : files) {
            if (!windows.containsKey(f)) {
                LibraryEntry e = entries.get(f);
                failures.put(f, e != null && e.status() == LibraryEntry.Status.FAILED ? e.message()
                        : "no genre tag that maps onto the model's labels (a genre Tempered wrote does not count)");
            }
        }
        return new TaggedSelection(data, windows, failures, monitor.isCancelled());
    }

    private static TagJobListener listener(ProgressMonitor monitor) {
        return new TagJobListener() {
            @Override
            public void progress(TagJobProgress p) {
                monitor.progress(p.done(), Math.max(p.toAnalyse(), p.done()),
                        p.current() == null ? "" : Selection.name(p.current()));
            }

            @Override
            public void fileDone(LibraryEntry entry) {
            }

            @Override
            public boolean isCancelled() {
                return monitor.isCancelled();
            }
        };
    }
}
