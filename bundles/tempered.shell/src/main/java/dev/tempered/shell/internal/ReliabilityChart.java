package dev.tempered.shell.internal;

import dev.tempered.api.calibration.ReliabilityDiagram;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a reliability diagram as a PNG with Java2D only (works headless): per confidence bin, the accuracy as a
 * bar, the gap to the diagonal shaded, and the bin's share of the files underneath.
 */
final class ReliabilityChart {
    static final int WIDTH = 560;
    static final int HEIGHT = 480;
    private static final Color BAR = new Color(0x3b6ea8);
    private static final Color GAP = new Color(0xd9534f);
    private static final Color GRID = new Color(0xe3e3e3);

    private ReliabilityChart() {
    }

    static void write(ReliabilityDiagram diagram, String title, List<String> notes, Path png) throws IOException {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(g, diagram, title, notes);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    private static void draw(Graphics2D g, ReliabilityDiagram diagram, String title, List<String> notes) {
        int left = 62;
        int top = 44;
        int size = 330;
        int histTop = top + size + 16;
        int histHeight = 40;
        Font base = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(base.deriveFont(Font.BOLD, 14f));
        g.setColor(Color.DARK_GRAY);
        g.drawString(title, left, 24);
        g.setFont(base);
        FontMetrics fm = g.getFontMetrics();

        for (int i = 0; i <= 10; i++) {
            double v = i / 10.0;
            int x = left + (int) Math.round(v * size);
            int y = top + size - (int) Math.round(v * size);
            g.setColor(GRID);
            g.drawLine(left, y, left + size, y);
            g.drawLine(x, top, x, top + size);
            if (i % 2 == 0) {
                g.setColor(Color.GRAY);
                String s = String.format(Locale.ROOT, "%.1f", v);
                g.drawString(s, left - fm.stringWidth(s) - 6, y + 4);
                g.drawString(s, x - fm.stringWidth(s) / 2, histTop + histHeight + 16);
            }
        }

        int total = diagram.bins().stream().mapToInt(ReliabilityDiagram.Bin::count).sum();
        int maxCount = Math.max(1, diagram.bins().stream().mapToInt(ReliabilityDiagram.Bin::count).max().orElse(1));
        for (ReliabilityDiagram.Bin b : diagram.bins()) {
            double x0 = left + b.lower() * size;
            double w = (b.upper() - b.lower()) * size;
            if (b.count() > 0) {
                double accTop = top + size - b.accuracy() * size;
                g.setColor(BAR);
                g.fill(new Rectangle2D.Double(x0 + 1, accTop, w - 2, top + size - accTop));
                // The gap between what the model claimed (mean confidence) and what it achieved.
                double confY = top + size - b.confidence() * size;
                g.setColor(new Color(GAP.getRed(), GAP.getGreen(), GAP.getBlue(), 110));
                g.fill(new Rectangle2D.Double(x0 + 1, Math.min(confY, accTop), w - 2, Math.abs(confY - accTop)));
                g.setColor(GAP);
                g.setStroke(new BasicStroke(2f));
                g.draw(new Line2D.Double(x0 + 1, confY, x0 + w - 1, confY));
                g.setStroke(new BasicStroke(1f));
            }
            double h = histHeight * b.count() / (double) maxCount;
            g.setColor(new Color(0x9aa9b8));
            g.fill(new Rectangle2D.Double(x0 + 1, histTop + histHeight - h, w - 2, h));
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        g.drawLine(left, top + size, left + size, top);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(left, top, size, size);
        g.drawLine(left, histTop + histHeight, left + size, histTop + histHeight);

        g.setColor(Color.GRAY);
        g.drawString("confidence", left + size / 2 - fm.stringWidth("confidence") / 2, histTop + histHeight + 32);
        g.drawString("files: " + total, left + size + 8, histTop + histHeight);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString("accuracy", -(top + size / 2 + fm.stringWidth("accuracy") / 2), 18);
        r.dispose();

        int lx = left + size + 20;
        int ly = top + 8;
        legend(g, lx, ly, BAR, "accuracy");
        legend(g, lx, ly + 20, GAP, "mean confidence (gap)");
        g.setColor(Color.DARK_GRAY);
        g.drawString("- - perfect calibration", lx, ly + 44);
        int ny = ly + 80;
        for (String n : notes) {
            g.drawString(n, lx, ny);
            ny += 18;
        }
    }

    private static void legend(Graphics2D g, int x, int y, Color c, String text) {
        g.setColor(c);
        g.fillRect(x, y - 10, 12, 12);
        g.setColor(Color.DARK_GRAY);
        g.drawString(text, x + 18, y);
    }
}
