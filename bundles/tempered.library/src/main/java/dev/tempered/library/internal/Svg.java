package dev.tempered.library.internal;

import java.util.List;
import java.util.Locale;

/**
 * The report's small charts as inline SVG. They are bars and text only, so they are written directly: the
 * one thing a library would add is escaping, which {@link Html#esc} does; the reliability diagram, which needs
 * more, comes from the calibration bundle's chart service.
 */
final class Svg {
    private Svg() {
    }

    /** A horizontal bar chart: one bar per label with its count. */
    static String bars(List<String> labels, List<Integer> counts, String unit) {
        int rowH = 24;
        int w = 560;
        int left = 110;
        int h = rowH * labels.size() + 10;
        int max = counts.stream().mapToInt(Integer::intValue).max().orElse(1);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\" role=\"img\">", w, h, w, h));
        for (int i = 0; i < labels.size(); i++) {
            int y = 5 + i * rowH;
            int bw = max == 0 ? 0 : (int) Math.round((w - left - 70) * counts.get(i) / (double) max);
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 8,
                    y + 16, Html.esc(labels.get(i))));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                    + "fill=\"#4a78b5\"/>", left, y + 3, Math.max(bw, 1), rowH - 6));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%d %s</text>", left + bw + 6, y + 16,
                    counts.get(i), Html.esc(unit)));
        }
        return sb.append("</svg>").toString();
    }

    /**
     * A histogram of values in [lo, hi] with a vertical marker (e.g. the confidence threshold); bars left of the
     * marker in the warning colour.
     */
    static String histogram(double[] values, double lo, double hi, int bins, double marker, String xLabel) {
        int[] counts = new int[bins];
        for (double v : values) {
            if (Double.isFinite(v)) {
                int b = (int) Math.floor((v - lo) / (hi - lo) * bins);
                counts[Math.max(0, Math.min(bins - 1, b))]++;
            }
        }
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        int w = 560;
        int h = 240;
        int left = 45;
        int bottom = 40;
        int plotW = w - left - 15;
        int top = 30;
        int plotH = h - bottom - top;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">", w, h, w, h));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left,
                top + plotH, left + plotW, top + plotH));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>", left,
                top, left, top + plotH));
        for (int b = 0; b < bins; b++) {
            double x0 = left + plotW * b / (double) bins;
            double bw = plotW / (double) bins;
            double bh = plotH * counts[b] / (double) max;
            double mid = lo + (hi - lo) * (b + 0.5) / bins;
            String fill = mid < marker ? "#d9822b" : "#4a78b5";
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    + "fill=\"%s\" stroke=\"#fff\"/>", x0, top + plotH - bh, bw, bh, fill));
            if (counts[b] > 0) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>",
                        x0 + bw / 2, top + plotH - bh - 3, counts[b]));
            }
        }
        for (int t = 0; t <= 5; t++) {
            double v = lo + (hi - lo) * t / 5;
            double x = left + plotW * t / 5.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.1f</text>", x,
                    top + plotH + 15, v));
        }
        if (marker > lo && marker < hi) {
            double x = left + plotW * (marker - lo) / (hi - lo);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#b00\" "
                    + "stroke-dasharray=\"4 3\"/>", x, top - 14, x, top + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"12\" fill=\"#b00\" text-anchor=\"middle\">"
                    + "threshold %.2f</text>", x, marker));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>",
                left + plotW / 2, h - 5, Html.esc(xLabel)));
        return sb.append("</svg>").toString();
    }

    /** A small inline bar of a probability, for table cells. */
    static String meter(double p) {
        int w = (int) Math.round(60 * Math.max(0, Math.min(1, p)));
        return String.format(Locale.ROOT, "<svg width=\"62\" height=\"10\"><rect width=\"62\" height=\"10\" "
                + "fill=\"#eee\"/><rect width=\"%d\" height=\"10\" fill=\"%s\"/></svg>", w,
                p < 0.5 ? "#d9822b" : "#4a78b5");
    }
}
