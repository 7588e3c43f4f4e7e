package dev.tempered.shell.internal;

import dev.tempered.api.plugin.ActionResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** An {@link ActionResult} as text for a console: the rows as aligned columns, failures, then the summary. */
final class TextTable {
    private TextTable() {
    }

    static String render(ActionResult result, Set<String> omit) {
        List<String> cols = new ArrayList<>(Rows.columns(result.rows()));
        cols.removeAll(omit);
        int[] width = new int[cols.size()];
        for (int c = 0; c < cols.size(); c++) {
            width[c] = cols.get(c).length();
            for (Map<String, String> r : result.rows()) {
                width[c] = Math.max(width[c], r.getOrDefault(cols.get(c), "").length());
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!result.rows().isEmpty()) {
            line(sb, cols, width);
            for (Map<String, String> r : result.rows()) {
                List<String> cells = new ArrayList<>();
                cols.forEach(c -> cells.add(r.getOrDefault(c, "")));
                line(sb, cells, width);
            }
        }
        for (Map.Entry<Path, String> f : result.failures().entrySet()) {
            sb.append("FAILED ").append(f.getKey()).append(": ").append(f.getValue()).append('\n');
        }
        result.image().ifPresent(p -> sb.append("image: ").append(p).append('\n'));
        sb.append(result.summary());
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            l.append(String.format("%-" + width[c] + "s", cells.get(c)));
            if (c < cells.size() - 1) {
                l.append("  ");
            }
        }
        sb.append(l.toString().stripTrailing()).append('\n');
    }
}
