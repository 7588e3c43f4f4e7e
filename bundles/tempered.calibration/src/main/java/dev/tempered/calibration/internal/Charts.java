package dev.tempered.calibration.internal;

import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.ReliabilityDiagram;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.osgi.service.component.annotations.Component;

/** Reliability diagrams and temperature sweeps drawn with JFreeChart; SVG through JFreeSVG. */
@Component(service = CalibrationCharts.class)
public final class Charts implements CalibrationCharts {
    static final int WIDTH = 900;
    static final int HEIGHT = 640;
    static final int SWEEP_POINTS = 61;
    private static final Color ACCURACY = new Color(0x3A6EA5);
    private static final Color GAP = new Color(0xD6, 0x45, 0x45, 150);
    private static final Color[] CURVES = {new Color(0x1F77B4), new Color(0xD62728), new Color(0x2CA02C),
        new Color(0x9467BD)};
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private final Metrics metrics = new Metrics();

    @Override
    public void reliability(double[][] probabilities, int[] truth, int bins, String title, Path file)
            throws IOException {
        ReliabilityDiagram diagram = metrics.reliability(probabilities, truth, bins);
        double ece = metrics.compute(Metric.ECE, probabilities, truth, bins);
        double mae = metrics.compute(Metric.MAE, probabilities, truth, bins);
        double acc = metrics.compute(Metric.ACCURACY, probabilities, truth, bins);
        write(reliabilityChart(diagram, title, ece, mae, acc, truth.length), file);
    }

    static JFreeChart reliabilityChart(ReliabilityDiagram diagram, String title, double ece, double mae,
            double accuracy, int n) {
        XYIntervalSeries bars = new XYIntervalSeries("Accuracy in bin");
        XYIntervalSeries gaps = new XYIntervalSeries("Gap to mean confidence");
        for (ReliabilityDiagram.Bin b : diagram.bins()) {
            if (b.count() == 0) {
                continue;
            }
            double mid = (b.lower() + b.upper()) / 2;
            bars.add(mid, b.lower(), b.upper(), b.accuracy(), 0, b.accuracy());
            gaps.add(mid, b.lower(), b.upper(), b.confidence(), Math.min(b.accuracy(), b.confidence()),
                    Math.max(b.accuracy(), b.confidence()));
        }
        XYIntervalSeriesCollection barData = new XYIntervalSeriesCollection();
        barData.addSeries(bars);
        barData.addSeries(gaps);
        XYBarRenderer barRenderer = new XYBarRenderer();
        barRenderer.setUseYInterval(true);
        barRenderer.setBarPainter(new StandardXYBarPainter());
        barRenderer.setShadowVisible(false);
        barRenderer.setDrawBarOutline(true);
        barRenderer.setSeriesPaint(0, ACCURACY);
        barRenderer.setSeriesPaint(1, GAP);
        barRenderer.setSeriesOutlinePaint(0, Color.WHITE);
        barRenderer.setSeriesOutlinePaint(1, new Color(0xA0, 0x20, 0x20));
        barRenderer.setDefaultOutlineStroke(new BasicStroke(1f));

        XYSeries diagonal = new XYSeries("Perfect calibration");
        diagonal.add(0, 0);
        diagonal.add(1, 1);
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
        lineRenderer.setSeriesPaint(0, Color.DARK_GRAY);
        lineRenderer.setSeriesStroke(0, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                new float[] {6, 4}, 0));

        NumberAxis x = new NumberAxis("Confidence (top-label probability)");
        NumberAxis y = new NumberAxis("Accuracy (fraction correct in bin)");
        for (NumberAxis axis : new NumberAxis[] {x, y}) {
            axis.setRange(0, 1.08);
            axis.setTickUnit(new NumberTickUnit(0.1));
            axis.setLabelFont(LABEL);
        }
        x.setRange(0, 1);
        XYPlot plot = new XYPlot(barData, x, y, barRenderer);
        plot.setDataset(1, new XYSeriesCollection(diagonal));
        plot.setRenderer(1, lineRenderer);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        // Gaps over accuracy bars, so a bin whose accuracy exceeds its confidence still shows its gap.
        plot.setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        for (ReliabilityDiagram.Bin b : diagram.bins()) {
            if (b.count() > 0) {
                XYTextAnnotation count = new XYTextAnnotation(Integer.toString(b.count()),
                        (b.lower() + b.upper()) / 2, Math.max(b.accuracy(), b.confidence()) + 0.012);
                count.setFont(SMALL);
                count.setTextAnchor(TextAnchor.BOTTOM_CENTER);
                plot.addAnnotation(count);
            }
        }
        XYTextAnnotation note = new XYTextAnnotation("numbers above bars: rows per bin; dark overlap: accuracy above confidence", 0.01, 1.06);
        note.setFont(SMALL);
        note.setPaint(Color.GRAY);
        note.setTextAnchor(TextAnchor.TOP_LEFT);
        plot.addAnnotation(note);

        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT,
                "ECE %.4f   MAE %.4f   accuracy %.4f   n = %d   (%d equal-width bins)", ece, mae, accuracy, n,
                diagram.bins().size()), new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    @Override
    public Map<String, Double> sweep(Map<String, LabelledLogits> data, Metric metric, int bins, double minT,
            double maxT, double markedTemperature, String title, Path file) throws IOException {
        if (!(minT > 0 && maxT > minT) || Double.isInfinite(maxT)) {
            throw new IllegalArgumentException("need 0 < minT < maxT < infinity: " + minT + ", " + maxT);
        }
        if (data.isEmpty()) {
            throw new IllegalArgumentException("no data sets to sweep");
        }
        Map<String, double[]> curves = new LinkedHashMap<>();
        double[] ts = new double[SWEEP_POINTS];
        for (int k = 0; k < SWEEP_POINTS; k++) {
            ts[k] = minT * Math.pow(maxT / minT, (double) k / (SWEEP_POINTS - 1));
        }
        for (Map.Entry<String, LabelledLogits> e : data.entrySet()) {
            curves.put(e.getKey(), curve(e.getValue(), metric, bins, ts));
        }
        Map<String, Double> best = new LinkedHashMap<>();
        write(sweepChart(curves, ts, metric, markedTemperature, title, best), file);
        return best;
    }

    /** The metric at each temperature, T applied to every member before averaging. */
    double[] curve(LabelledLogits data, Metric metric, int bins, double[] ts) {
        double[][][] z = data.logits();
        int[] y = data.truth();
        double[] out = new double[ts.length];
        double[][] p = new double[z.length][];
        for (int k = 0; k < ts.length; k++) {
            for (int i = 0; i < z.length; i++) {
                p[i] = Softmax.memberMean(z[i], ts[k]);
            }
            out[k] = metrics.compute(metric, p, y, bins);
        }
        return out;
    }

    static JFreeChart sweepChart(Map<String, double[]> curves, double[] ts, Metric metric, double marked,
            String title, Map<String, Double> best) {
        XYSeriesCollection lines = new XYSeriesCollection();
        XYSeriesCollection minima = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            double[] v = e.getValue();
            int arg = 0;
            for (int k = 0; k < ts.length; k++) {
                if (v[k] < v[arg]) {
                    arg = k;
                }
            }
            XYSeries s = new XYSeries(String.format(Locale.ROOT, "%s (best T = %.2f, minimum %.4f)", e.getKey(),
                    ts[arg], v[arg]));
            for (int k = 0; k < ts.length; k++) {
                s.add(ts[k], v[k]);
            }
            lines.addSeries(s);
            XYSeries m = new XYSeries(e.getKey() + " minimum");
            m.add(ts[arg], v[arg]);
            minima.addSeries(m);
            best.put(e.getKey(), ts[arg]);
        }
        LogAxis x = new LogAxis("Temperature T (log scale)");
        x.setBase(2);
        x.setRange(ts[0], ts[ts.length - 1]);
        x.setTickUnit(new NumberTickUnit(1));
        x.setMinorTickCount(4);
        x.setMinorTickMarksVisible(true);
        x.setNumberFormatOverride(new java.text.DecimalFormat("0.##"));
        x.setLabelFont(LABEL);
        NumberAxis y = new NumberAxis(metricLabel(metric));
        y.setAutoRangeIncludesZero(metric != Metric.NLL);
        y.setLabelFont(LABEL);
        XYLineAndShapeRenderer lineRenderer = new XYLineAndShapeRenderer(true, false);
        XYLineAndShapeRenderer dotRenderer = new XYLineAndShapeRenderer(false, true);
        for (int s = 0; s < curves.size(); s++) {
            Color c = CURVES[s % CURVES.length];
            lineRenderer.setSeriesPaint(s, c);
            lineRenderer.setSeriesStroke(s, new BasicStroke(2.2f));
            dotRenderer.setSeriesPaint(s, c);
            dotRenderer.setSeriesShape(s, new Ellipse2D.Double(-6, -6, 12, 12));
            dotRenderer.setSeriesVisibleInLegend(s, false);
        }
        XYPlot plot = new XYPlot(lines, x, y, lineRenderer);
        plot.setDataset(1, minima);
        plot.setRenderer(1, dotRenderer);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        int s = 0;
        for (String name : curves.keySet()) {
            ValueMarker m = new ValueMarker(best.get(name), CURVES[s % CURVES.length], new BasicStroke(1.2f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {2, 3}, 0));
            plot.addDomainMarker(m);
            s++;
        }
        if (Double.isFinite(marked) && marked > 0) {
            ValueMarker m = new ValueMarker(marked, Color.GRAY, new BasicStroke(1.5f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
            m.setLabel(String.format(Locale.ROOT, "current T = %.2f", marked));
            m.setLabelFont(SMALL);
            m.setLabelPaint(Color.DARK_GRAY);
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.addSubtitle(new TextTitle(metricLabel(metric) + " against T; dots and dotted lines mark each curve's minimum",
                new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static double minimum(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double d : v) {
            m = Math.min(m, d);
        }
        return m;
    }

    static String metricLabel(Metric metric) {
        switch (metric) {
            case ACCURACY:
                return "Accuracy";
            case NLL:
                return "NLL (nats)";
            case BRIER:
                return "Brier score";
            case ECE:
                return "ECE (equal-width bins)";
            case ECE_EQUAL_MASS:
                return "ECE (equal-mass bins)";
            case MCE:
                return "MCE";
            case CLASSWISE_ECE:
                return "Classwise ECE";
            case MAE:
                return "Reliability-diagram MAE";
            default:
                return metric.name();
        }
    }

    /** Writes PNG or SVG by extension, through a temporary file in the same folder and an atomic rename. */
    static void write(JFreeChart chart, Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new IllegalArgumentException("chart file must end in .png or .svg: " + file);
        }
        ReportFiles.replace(file, tmp -> {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                if (svg) {
                    SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
                    chart.draw(g, new Rectangle(WIDTH, HEIGHT));
                    out.write(g.getSVGDocument().getBytes(StandardCharsets.UTF_8));
                } else {
                    ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
                }
            }
        });
    }
}
