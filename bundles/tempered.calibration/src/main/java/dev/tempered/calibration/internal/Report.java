package dev.tempered.calibration.internal;

import java.util.ArrayList;
import java.util.List;

/** A study report as blocks, rendered once as markdown and once as HTML so the two never disagree. */
final class Report {
    private sealed interface Block permits Heading, Text, Table, Figures {
    }

    private record Heading(int level, String text) implements Block {
    }

    private record Text(String text) implements Block {
    }

    private record Table(List<String> header, List<List<String>> rows) implements Block {
        Table {
            header = List.copyOf(header);
            rows = List.copyOf(rows);
        }
    }

    /** Figures side by side: file names (PNG, an SVG beside each) and captions. */
    private record Figures(List<String> files, List<String> captions) implements Block {
        Figures {
            files = List.copyOf(files);
            captions = List.copyOf(captions);
        }
    }

    private final List<Block> blocks = new ArrayList<>();

    void heading(int level, String text) {
        blocks.add(new Heading(level, text));
    }

    void text(String text) {
        blocks.add(new Text(text));
    }

    void table(List<String> header, List<List<String>> rows) {
        blocks.add(new Table(header, rows));
    }

    void figures(List<String> files, List<String> captions) {
        blocks.add(new Figures(files, captions));
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Block b : blocks) {
            if (b instanceof Heading h) {
                sb.append("#".repeat(h.level())).append(' ').append(h.text()).append("\n\n");
            } else if (b instanceof Text t) {
                sb.append(t.text()).append("\n\n");
            } else if (b instanceof Table t) {
                {
                    sb.append("| ").append(String.join(" | ", t.header())).append(" |\n|");
                    sb.append("---|".repeat(t.header().size())).append('\n');
                    for (List<String> r : t.rows()) {
                        sb.append("| ").append(String.join(" | ", r)).append(" |\n");
                    }
                    sb.append('\n');
                }
            } else if (b instanceof Figures f) {
                {
                    List<String> links = new ArrayList<>();
                    for (int i = 0; i < f.files().size(); i++) {
                        links.add("[" + f.captions().get(i) + "](" + f.files().get(i) + ")");
                    }
                    sb.append("Figures: ").append(String.join(", ", links)).append("\n\n");
                }
            }
        }
        return sb.toString();
    }

    String html(String title) {
        StringBuilder sb = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(esc(title)).append("</title>\n<style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;"
                        + "padding:0 1em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
                        + "padding:3px 8px;font-size:90%}th{background:#eee}figure{display:inline-block;margin:0 1em 1em 0}"
                        + "img{width:440px}figcaption{font-size:85%;max-width:440px}</style></head><body>\n");
        for (Block b : blocks) {
            if (b instanceof Heading h) {
                sb.append("<h").append(h.level()).append('>').append(esc(h.text())).append("</h")
                        .append(h.level()).append(">\n");
            } else if (b instanceof Text t) {
                sb.append("<p>").append(esc(t.text())).append("</p>\n");
            } else if (b instanceof Table t) {
                {
                    sb.append("<table><tr>");
                    t.header().forEach(h -> sb.append("<th>").append(esc(h)).append("</th>"));
                    sb.append("</tr>\n");
                    for (List<String> r : t.rows()) {
                        sb.append("<tr>");
                        r.forEach(c -> sb.append("<td>").append(esc(c)).append("</td>"));
                        sb.append("</tr>\n");
                    }
                    sb.append("</table>\n");
                }
            } else if (b instanceof Figures f) {
                {
                    sb.append("<div>");
                    for (int i = 0; i < f.files().size(); i++) {
                        String png = f.files().get(i);
                        String svg = png.replaceAll("\\.png$", ".svg");
                        sb.append("<figure><a href=\"").append(esc(svg)).append("\"><img src=\"").append(esc(png))
                                .append("\" alt=\"").append(esc(f.captions().get(i))).append("\"></a><figcaption>")
                                .append(esc(f.captions().get(i))).append("</figcaption></figure>");
                    }
                    sb.append("</div>\n");
                }
            }
        }
        return sb.append("</body></html>\n").toString();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("`", "");
    }
}
