package dev.tempered.library.internal;

import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.LibraryEntry.Status;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.TagPolicy;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The job's reports: every file as CSV and JSON, and an HTML page with charts and the review queue. */
final class Reports {
    private static final Logger LOG = LoggerFactory.getLogger(Reports.class);
    /** Mutual information (nats) above which the members disagree enough to ask a person. */
    static final double HIGH_DISAGREEMENT = 0.10;
    static final int REVIEW_QUEUE_MAX = 50;
    static final int RELIABILITY_BINS = 10;

    private Reports() {
    }

    /** Files with a ground truth and a distribution. */
    static List<LibraryEntry> labelled(List<LibraryEntry> entries) {
        return entries.stream().filter(e -> e.truth() != null && e.probabilities().length > 0
                && e.labels().contains(e.truth())).toList();
    }

    /** Accuracy, NLL, ECE and MAE of the labelled files (empty when there are none). */
    static Map<String, Double> evaluate(List<LibraryEntry> entries, CalibrationMetrics metrics) {
        List<LibraryEntry> lab = labelled(entries);
        Map<String, Double> out = new LinkedHashMap<>();
        if (lab.isEmpty()) {
            return out;
        }
        double[][] p = new double[lab.size()][];
        int[] truth = new int[lab.size()];
        int correct = 0;
        for (int i = 0; i < lab.size(); i++) {
            p[i] = lab.get(i).probabilities();
            truth[i] = lab.get(i).labels().indexOf(lab.get(i).truth());
            correct += lab.get(i).truth().equals(lab.get(i).topLabel()) ? 1 : 0;
        }
        out.put("files", (double) lab.size());
        out.put("accuracy", correct / (double) lab.size());
        if (metrics != null) {
            out.put("nll", metrics.compute(Metric.NLL, p, truth, RELIABILITY_BINS));
            out.put("ece", metrics.compute(Metric.ECE, p, truth, RELIABILITY_BINS));
            out.put("mae", metrics.compute(Metric.MAE, p, truth, RELIABILITY_BINS));
        }
        return out;
    }

    /** Writes report.csv, report.json and report.html (plus the reliability diagram when labels are known). */
    static List<Path> write(Path dir, List<LibraryEntry> entries, TagJobSummary summary, List<String> labels,
            TagPolicy policy, CalibrationCharts charts, List<Path> roots) throws IOException {
        Paths paths = new Paths(roots);
        Files.createDirectories(dir);
        List<LibraryEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(e -> e.file().toString()));
        Path csv = dir.resolve("report.csv");
        Path json = dir.resolve("report.json");
        Path html = dir.resolve("report.html");
        atomically(csv, csv(sorted, labels, paths));
        atomically(json, json(sorted, summary));
        String reliability = null;
        List<LibraryEntry> lab = labelled(sorted);
        if (charts != null && !lab.isEmpty()) {
            double[][] p = new double[lab.size()][];
            int[] truth = new int[lab.size()];
            for (int i = 0; i < lab.size(); i++) {
                p[i] = lab.get(i).probabilities();
                truth[i] = lab.get(i).labels().indexOf(lab.get(i).truth());
            }
            try {
                Path svg = dir.resolve("reliability.svg");
                charts.reliability(p, truth, RELIABILITY_BINS, "Reliability on your labels (" + summary.model()
                        + String.format(Locale.ROOT, " T=%.3f)", summary.temperature()), svg);
                reliability = svg.getFileName().toString();
            } catch (IOException | RuntimeException e) {
                LOG.warn("could not draw the reliability diagram: {}", e.toString());
            }
        }
        atomically(html, html(sorted, summary, labels, policy, reliability, paths));
        List<Path> out = new ArrayList<>(List.of(html, csv, json));
        if (reliability != null) {
            out.add(dir.resolve(reliability));
        }
        return out;
    }

    private static void atomically(Path file, String text) throws IOException {
        // Before: a fixed temporary name, so a link planted as .report.csv.tmp had its target truncated.
        ReportFiles.replace(file, text);
    }

    /**
     * Paths as a librarian reads them: relative to the scanned folder that holds the file, so two {@code 01.ogg} of
     * different albums are told apart; absolute when the file is not under one.
     */
    record Paths(List<Path> roots) {
        Paths {
            roots = roots.stream().map(r -> r.toAbsolutePath().normalize()).toList();
        }

        String of(Path file) {
            for (Path r : roots) {
                Path base = java.nio.file.Files.isDirectory(r) ? r : r.getParent();
                if (base != null && file.startsWith(base) && !file.equals(base)) {
                    return base.relativize(file).toString();
                }
                try {
                    Path real = r.toRealPath();
                    Path rb = java.nio.file.Files.isDirectory(real) ? real : real.getParent();
                    if (rb != null && file.startsWith(rb) && !file.equals(rb)) {
                        return rb.relativize(file).toString();
                    }
                } catch (IOException e) {
                    // A root that is gone: try the next.
                }
            }
            return file.toString();
        }
    }

    /** report.csv, written by Jackson's CSV module (RFC 4180 quoting of commas, quotes and line breaks). */
    static String csv(List<LibraryEntry> entries, List<String> labels, Paths paths) {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("file", "status", "genre", "confidence", "entropy",
                "mutual_information", "decision", "written", "written_at", "truth", "model", "temperature",
                "duration_s", "path", "genre_before", "genre_after", "suggestion"));
        for (String l : labels) {
            header.add("p_" + l);
        }
        header.add("message");
        rows.add(header.toArray(String[]::new));
        for (LibraryEntry e : entries) {
            List<String> row = new ArrayList<>(List.of(e.file().toString(), e.status().name().toLowerCase(Locale.ROOT),
                    text(e.topLabel()), num(e.confidence()), num(e.entropy()), num(e.mutualInformation()),
                    e.decision() == null ? "" : e.decision().name().toLowerCase(Locale.ROOT),
                    Boolean.toString(e.written()), e.writtenAt() == null ? "" : e.writtenAt().toString(),
                    text(e.truth()), e.model() == null ? "" : e.model().toString(), num(e.temperature()),
                    num(e.durationSeconds()), text(paths.of(e.file())), text(e.genreBefore()), text(e.genreAfter()),
                    text(e.suggestion())));
            double[] p = e.probabilities();
            for (String l : labels) {
                int i = e.labels().indexOf(l);
                row.add(i < 0 || i >= p.length ? "" : num(p[i]));
            }
            row.add(text(e.message()));
            rows.add(row.toArray(String[]::new));
        }
        java.io.StringWriter out = new java.io.StringWriter();
        // Quoted only where RFC 4180 needs it, so the plain cells read as they are in a text editor.
        try (com.fasterxml.jackson.databind.SequenceWriter csv = CsvTable.CSV.writerFor(String[].class)
                .with(com.fasterxml.jackson.dataformat.csv.CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING)
                .writeValues(out)) {
            for (String[] row : rows) {
                csv.write(row);
            }
        } catch (IOException e) {
            // A StringWriter does not fail; Jackson declares it.
            throw new IllegalStateException("report.csv: " + e.getMessage(), e);
        }
        return out.toString();
    }

    private static String text(String s) {
        return s == null ? "" : s;
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "").replaceAll("\\.$", "")
                : "";
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The report as JSON: the run's summary and one object per file (non-finite numbers become null). */
    static String json(List<LibraryEntry> entries, TagJobSummary s) {
        ObjectNode o = JSON.createObjectNode();
        o.put("model", s.model().toString());
        num(o, "temperature", s.temperature());
        o.put("dryRun", s.dryRun());
        o.put("cancelled", s.cancelled());
        ObjectNode counts = o.putObject("counts");
        counts.put("found", s.found());
        counts.put("analysed", s.analysed());
        counts.put("recalibrated", s.recalibrated());
        counts.put("unchanged", s.unchanged());
        counts.put("failed", s.failed());
        counts.put("written", s.written());
        counts.put("review", s.review());
        ObjectNode evaluation = o.putObject("evaluation");
        s.evaluation().forEach((k, v) -> num(evaluation, k, v));
        ArrayNode files = o.putArray("files");
        for (LibraryEntry e : entries) {
            ObjectNode f = files.addObject();
            f.put("file", e.file().toString());
            f.put("status", e.status().name().toLowerCase(Locale.ROOT));
            f.put("genre", e.topLabel());
            num(f, "confidence", e.confidence());
            num(f, "entropy", e.entropy());
            num(f, "mutualInformation", e.mutualInformation());
            f.put("decision", e.decision() == null ? null : e.decision().name().toLowerCase(Locale.ROOT));
            f.put("written", e.written());
            f.put("writtenAt", e.writtenAt() == null ? null : e.writtenAt().toString());
            f.put("truth", e.truth());
            f.put("model", e.model() == null ? null : e.model().toString());
            num(f, "temperature", e.temperature());
            num(f, "durationSeconds", e.durationSeconds());
            f.put("genreBefore", e.genreBefore());
            f.put("genreAfter", e.genreAfter());
            f.put("suggestion", e.suggestion());
            ObjectNode dist = f.putObject("distribution");
            double[] p = e.probabilities();
            for (int c = 0; c < p.length; c++) {
                num(dist, e.labels().get(c), p[c]);
            }
            f.put("message", e.message());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write the JSON report", e);
        }
    }

    private static void num(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    /** A probability as a small bar in a table cell: HTML's own meter element, no drawing needed. */
    static String meter(double p) {
        double v = Double.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0;
        return String.format(Locale.ROOT, "<meter min=\"0\" max=\"1\" low=\"0.5\" optimum=\"1\" value=\"%.3f\">"
                + "%.0f%%</meter>", v, 100 * v);
    }

    /** Files a person should look at: below the threshold or with members disagreeing, least sure first. */
    static List<LibraryEntry> reviewQueue(List<LibraryEntry> entries, TagPolicy policy) {
        return entries.stream().filter(e -> e.status() != Status.FAILED && e.probabilities().length > 0)
                .filter(e -> e.decision() == dev.tempered.api.tag.TagPlan.Decision.REVIEW
                        || e.confidence() < policy.threshold() || e.mutualInformation() > HIGH_DISAGREEMENT)
                .sorted(Comparator.comparingDouble(LibraryEntry::confidence)).toList();
    }

    static String html(List<LibraryEntry> entries, TagJobSummary s, List<String> labels, TagPolicy policy,
            String reliabilitySvg, Paths paths) {
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>Tempered report</title><style>"
                + "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}"
                + "h1{margin-bottom:0}.sub{color:#666;margin-top:.3em}"
                + "table{border-collapse:collapse;font-size:14px}td,th{padding:3px 8px;border-bottom:1px solid #ddd;"
                + "text-align:left}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}"
                + ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}.card{border:1px solid #ddd;"
                + "border-radius:6px;padding:8px 14px;min-width:110px}.card b{display:block;font-size:24px}"
                + ".grid{display:flex;flex-wrap:wrap;gap:24px}.path{font-family:monospace;font-size:12px;"
                + "word-break:break-all}.warn{color:#b35c00}</style></head><body>\n");
        sb.append("<h1>Tempered report</h1><p class=\"sub\">Model ").append(Html.esc(s.model().toString()))
                .append(String.format(Locale.ROOT, ", temperature T = %.4f", s.temperature()))
                .append(s.dryRun() ? " &middot; <b>dry run</b>: no tags written" : "")
                .append(s.cancelled() ? " &middot; <b class=\"warn\">stopped before the end</b>" : "")
                .append(String.format(Locale.ROOT, " &middot; threshold %.2f", policy.threshold()))
                .append("</p>\n");
        sb.append("<div class=\"cards\">");
        card(sb, "files found", s.found());
        card(sb, "analysed", s.analysed());
        card(sb, "re-calibrated", s.recalibrated());
        card(sb, "already up to date", s.unchanged());
        card(sb, "tags written", s.written());
        card(sb, "for review", s.review());
        card(sb, "failed", s.failed());
        sb.append(String.format(Locale.ROOT, "<div class=\"card\">audio analysed<b>%.1f min</b></div>",
                s.audioSeconds() / 60));
        sb.append("</div>\n");
        List<LibraryEntry> ok = entries.stream().filter(e -> e.probabilities().length > 0).toList();
        sb.append("<div class=\"grid\"><section><h2>Genres</h2>");
        List<Integer> counts = new ArrayList<>();
        for (String l : labels) {
            counts.add((int) ok.stream().filter(e -> l.equals(e.topLabel())).count());
        }
        sb.append(ReportCharts.bars(labels, counts));
        sb.append("</section><section><h2>Confidence</h2>");
        sb.append(ReportCharts.histogram(ok.stream().mapToDouble(LibraryEntry::confidence).toArray(), 0, 1, 10,
                policy.threshold(), "calibrated confidence of the top genre"));
        sb.append("<p class=\"sub\">Calibrated: among files shown with confidence 0.7, about 70% should be right.</p>");
        sb.append("</section></div>\n");
        if (!s.evaluation().isEmpty()) {
            sb.append("<h2>Against your labels</h2><p>");
            s.evaluation().forEach((k, v) -> sb.append(Html.esc(k)).append(": <b>")
                    .append(k.equals("files") ? String.valueOf(v.intValue()) : String.format(Locale.ROOT, "%.4f", v))
                    .append("</b> &nbsp; "));
            sb.append("</p>");
            if (reliabilitySvg != null) {
                sb.append("<img src=\"").append(Html.esc(reliabilitySvg))
                        .append("\" alt=\"reliability diagram\" style=\"max-width:100%\">");
            }
            if (!s.unmappedLabels().isEmpty()) {
                sb.append("<p class=\"warn\">Labels not mapped onto the model's genres: ");
                s.unmappedLabels().forEach((k, v) -> sb.append(Html.esc(k)).append(" (").append(v).append(") "));
                sb.append("</p>");
            }
        }
        List<LibraryEntry> queue = reviewQueue(ok, policy);
        sb.append("<h2>Review queue</h2><p class=\"sub\">").append(queue.size())
                .append(String.format(Locale.ROOT, " file(s) below confidence %.2f, keeping a genre that differs from "
                        + "the suggestion, or with members disagreeing (mutual information &gt; %.2f nats); "
                        + "<code>tempered review list</code> shows the queue, <code>review accept|reject</code> decides",
                        policy.threshold(), HIGH_DISAGREEMENT));
        if (queue.size() > REVIEW_QUEUE_MAX) {
            sb.append("; the ").append(REVIEW_QUEUE_MAX).append(" least sure are shown, all are in report.csv");
        }
        sb.append("</p>");
        table(sb, queue.subList(0, Math.min(queue.size(), REVIEW_QUEUE_MAX)), paths);
        sb.append("<h2>All files</h2>");
        table(sb, ok, paths);
        List<LibraryEntry> failed = entries.stream().filter(e -> e.status() == Status.FAILED).toList();
        if (!failed.isEmpty()) {
            sb.append("<h2 class=\"warn\">Failed</h2><table><tr><th>file</th><th>reason</th></tr>");
            for (LibraryEntry e : failed) {
                sb.append("<tr><td class=\"path\">").append(Html.esc(paths.of(e.file()))).append("</td><td>")
                        .append(Html.esc(e.message())).append("</td></tr>");
            }
            sb.append("</table>");
        }
        if (!s.warnings().isEmpty()) {
            sb.append("<h2 class=\"warn\">Skipped while scanning</h2><ul>");
            for (String w : s.warnings()) {
                sb.append("<li>").append(Html.esc(w)).append("</li>");
            }
            sb.append("</ul>");
        }
        sb.append("<p class=\"sub\">Also: report.csv and report.json beside this page. Index: ")
                .append(Html.esc(String.valueOf(s.index()))).append("</p></body></html>\n");
        return sb.toString();
    }

    /** "old &rarr; new", "old (kept)", or "&rarr; new" for a file that had none. */
    static String genreChange(LibraryEntry e) {
        String before = e.genreBefore();
        String after = e.genreAfter();
        if (before == null && after == null) {
            return "<span class=\"sub\">none</span>";
        }
        if (java.util.Objects.equals(before, after)) {
            return Html.esc(before) + " <span class=\"sub\">(kept)</span>";
        }
        return (before == null ? "<span class=\"sub\">none</span>" : Html.esc(before)) + " &rarr; <b>"
                + Html.esc(after) + "</b>";
    }

    private static void card(StringBuilder sb, String what, int n) {
        sb.append("<div class=\"card\">").append(Html.esc(what)).append("<b>").append(n).append("</b></div>");
    }

    private static void table(StringBuilder sb, List<LibraryEntry> rows, Paths paths) {
        sb.append("<table><tr><th>file</th><th>genre: old &rarr; new</th><th>suggestion</th><th>confidence</th>"
                + "<th></th><th>runner-up</th><th>MI</th><th>decision</th><th>written</th><th>label</th></tr>");
        for (LibraryEntry e : rows) {
            double[] p = e.probabilities();
            int top = e.labels().indexOf(e.topLabel());
            int second = -1;
            for (int c = 0; c < p.length; c++) {
                if (c != top && (second < 0 || p[c] > p[second])) {
                    second = c;
                }
            }
            sb.append("<tr><td class=\"path\">").append(Html.esc(paths.of(e.file())))
                    .append("</td><td>").append(genreChange(e)).append("</td><td>")
                    .append(Html.esc(e.suggestion() != null ? e.suggestion() : e.topLabel())).append("</td><td class=\"n\">")
                    .append(String.format(Locale.ROOT, "%.1f%%", 100 * e.confidence())).append("</td><td>")
                    .append(meter(e.confidence())).append("</td><td>")
                    .append(second < 0 ? "" : Html.esc(e.labels().get(second))
                            + String.format(Locale.ROOT, " %.0f%%", 100 * p[second]))
                    .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%.3f", e.mutualInformation()))
                    .append("</td><td>").append(e.decision() == null ? "" : e.decision().name().toLowerCase(Locale.ROOT))
                    .append("</td><td>").append(e.written() ? "yes" : "").append("</td><td>")
                    .append(Html.esc(e.truth() == null ? "" : e.truth())
                            + (e.truth() != null && !e.truth().equals(e.topLabel()) ? " &#10007;" : ""))
                    .append("</td></tr>");
        }
        sb.append("</table>\n");
    }
}
