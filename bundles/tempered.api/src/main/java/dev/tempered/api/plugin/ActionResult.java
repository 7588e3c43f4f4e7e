package dev.tempered.api.plugin;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an action produced, for the host to show.
 *
 * @param summary   one line for a status bar
 * @param rows      one row per file: column name to text (e.g. file, genre, confidence, uncertainty, model)
 * @param image     a picture to show (e.g. a reliability diagram PNG), if any
 * @param cancelled whether the user stopped it before the end
 * @param failures  files that failed, with the reason
 */
public record ActionResult(String summary, List<Map<String, String>> rows, Optional<Path> image, boolean cancelled,
        Map<Path, String> failures) {
    public ActionResult {
        rows = rows.stream().map(Map::copyOf).toList();
        failures = Map.copyOf(failures);
    }
}
