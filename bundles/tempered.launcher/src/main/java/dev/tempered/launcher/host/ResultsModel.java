package dev.tempered.launcher.host;

import dev.tempered.api.plugin.ActionResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.swing.table.AbstractTableModel;

/**
 * The results table: one row per file, updated by every action that reports the file, so a swap of model or
 * temperature shows as the next analysis overwriting the row. Columns follow Tempered's row keys; the ones a
 * tagging tool shows first are fixed, the rest are added as actions report them.
 */
final class ResultsModel extends AbstractTableModel {
    private static final long serialVersionUID = 1L;
    /** Column title and the row key it shows; "uncertainty" joins two keys. */
    static final String UNCERTAINTY = "uncertainty H / MI";
    private static final List<String> FIXED = List.of("file", "genre", "confidence", UNCERTAINTY, "model",
            "candidates");
    private static final List<String> HIDDEN = List.of("entropy", "mutual information", "T");
    private final List<String> columns = new ArrayList<>(FIXED);
    private final Map<String, Map<String, String>> rows = new LinkedHashMap<>();

    /** Shows a result's rows and failures; rows are matched to earlier ones by file name. */
    void show(ActionResult result) {
        int before = columns.size();
        for (Map<String, String> r : result.rows()) {
            String file = r.get("file");
            if (file == null) {
                // The table is per file; a row about nothing in particular has no place in it.
                continue;
            }
            Map<String, String> row = rows.computeIfAbsent(file, f -> new LinkedHashMap<>());
            row.remove("error");
            row.putAll(r);
            r.keySet().stream().filter(k -> !FIXED.contains(k) && !HIDDEN.contains(k) && !columns.contains(k))
                    .sorted().forEach(columns::add);
        }
        for (Map.Entry<Path, String> f : result.failures().entrySet()) {
            Path name = f.getKey().getFileName();
            Map<String, String> row = rows.computeIfAbsent(name == null ? f.getKey().toString() : name.toString(),
                    n -> new LinkedHashMap<>());
            row.put("file", name == null ? f.getKey().toString() : name.toString());
            // Tempered's messages start with the path, which the file column shows already.
            String message = f.getValue();
            String prefix = f.getKey() + ": ";
            row.put("error", message.startsWith(prefix) ? message.substring(prefix.length()) : message);
            if (!columns.contains("error")) {
                columns.add("error");
            }
        }
        if (columns.size() != before) {
            fireTableStructureChanged();
        } else {
            fireTableDataChanged();
        }
    }

    /** A starting width in pixels for a column, by what it holds. */
    static int width(String column) {
        return switch (column) {
            case "file" -> 175;
            case "genre", "genre tag", "decision", "correct", "written", "windows" -> 80;
            case "confidence" -> 90;
            case UNCERTAINTY -> 125;
            case "candidates" -> 240;
            case "model" -> 215;
            case "error", "reason" -> 320;
            default -> 100;
        };
    }

    void clear() {
        rows.clear();
        columns.clear();
        columns.addAll(FIXED);
        fireTableStructureChanged();
    }

    /** The cell text, for tests and the clipboard. */
    String text(int row, String column) {
        int c = columns.indexOf(column);
        return c < 0 ? null : (String) getValueAt(row, c);
    }

    @Override
    public int getRowCount() {
        return rows.size();
    }

    @Override
    public int getColumnCount() {
        return columns.size();
    }

    @Override
    public String getColumnName(int column) {
        return columns.get(column);
    }

    @Override
    public Object getValueAt(int rowIndex, int columnIndex) {
        Map<String, String> row = new ArrayList<>(rows.values()).get(rowIndex);
        String col = columns.get(columnIndex);
        return switch (col) {
            case UNCERTAINTY -> row.containsKey("entropy")
                    ? row.get("entropy") + " / " + row.getOrDefault("mutual information", "?") : "";
            case "model" -> row.containsKey("model")
                    ? row.get("model") + (row.containsKey("T") ? "  T=" + row.get("T") : "") : "";
            default -> row.getOrDefault(col, "");
        };
    }
}
