package dev.tempered.library.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Rectangle;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.SimpleHistogramBin;
import org.jfree.data.statistics.SimpleHistogramDataset;
import org.jfree.svg.SVGGraphics2D;

/** The report's genre and confidence charts, drawn with JFreeChart and written as inline SVG by JFreeSVG. */
final class ReportCharts {
    static final Color BLUE = new Color(0x4a78b5);
    static final Color ORANGE = new Color(0xd9822b);
    private static final Font FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private ReportCharts() {
    }

    /** A horizontal bar chart: one bar per label with its count. */
    static String bars(List<String> labels, List<Integer> counts) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (int i = 0; i < labels.size(); i++) {
            data.addValue(counts.get(i), "files", labels.get(i));
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, BLUE);
        renderer.setMaximumBarWidth(0.8);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator());
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(FONT);
        CategoryAxis categories = new CategoryAxis();
        categories.setTickLabelFont(FONT);
        NumberAxis values = new NumberAxis("files");
        values.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        values.setUpperMargin(0.15);
        values.setTickLabelFont(FONT);
        CategoryPlot plot = new CategoryPlot(data, categories, values, renderer);
        plot.setOrientation(PlotOrientation.HORIZONTAL);
        style(plot);
        return svg(new JFreeChart(null, FONT, plot, false), 560, 24 * labels.size() + 60);
    }

    /**
     * A histogram of values in [lo, hi] with a dashed marker (e.g. the confidence threshold); bins left of the
     * marker in the warning colour.
     */
    static String histogram(double[] values, double lo, double hi, int bins, double marker, String xLabel) {
        SimpleHistogramDataset data = new SimpleHistogramDataset("files");
        data.setAdjustForBinSize(false);
        for (int b = 0; b < bins; b++) {
            double from = lo + (hi - lo) * b / bins;
            double to = lo + (hi - lo) * (b + 1) / bins;
            // The last bin includes hi: a confidence of exactly 1 belongs somewhere.
            data.addBin(new SimpleHistogramBin(from, to, true, b == bins - 1));
        }
        for (double v : values) {
            if (Double.isFinite(v)) {
                data.addObservation(Math.max(lo, Math.min(hi, v)));
            }
        }
        XYBarRenderer renderer = new XYBarRenderer() {
            @Override
            public Paint getItemPaint(int series, int item) {
                double mid = (data.getStartXValue(series, item) + data.getEndXValue(series, item)) / 2;
                return mid < marker ? ORANGE : BLUE;
            }
        };
        renderer.setBarPainter(new StandardXYBarPainter());
        renderer.setShadowVisible(false);
        renderer.setDrawBarOutline(true);
        renderer.setDefaultOutlinePaint(Color.WHITE);
        NumberAxis x = new NumberAxis(xLabel);
        x.setRange(lo, hi);
        x.setLabelFont(FONT);
        x.setTickLabelFont(FONT);
        NumberAxis y = new NumberAxis("files");
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setTickLabelFont(FONT);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        if (marker > lo && marker < hi) {
            ValueMarker m = new ValueMarker(marker, new Color(0xbb0000), new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f));
            m.setLabel(String.format(java.util.Locale.ROOT, "threshold %.2f", marker));
            m.setLabelFont(FONT);
            m.setLabelPaint(new Color(0xbb0000));
            m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(m);
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setDomainGridlinesVisible(false);
        return svg(new JFreeChart(null, FONT, plot, false), 560, 260);
    }

    private static void style(CategoryPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setOutlineVisible(false);
    }

    private static String svg(JFreeChart chart, int width, int height) {
        chart.setBackgroundPaint(Color.WHITE);
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        chart.draw(g, new Rectangle(width, height));
        return g.getSVGElement();
    }
}
