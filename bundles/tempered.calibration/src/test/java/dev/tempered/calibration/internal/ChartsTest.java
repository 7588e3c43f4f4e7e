package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Renders real files (kept in target/test-charts for a look) from overconfident synthetic data. */
class ChartsTest {
    private static final Path OUT = Paths.get("target", "test-charts");
    private final Charts charts = new Charts();

    /** Three members whose logits are twice as sharp as the truth: labels come from softmax(z / 2). */
    static LabelledLogits overconfident(long seed, int n) {
        Random r = new Random(seed);
        int classes = 10;
        double[][][] z = new double[n][3][classes];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            double[] base = new double[classes];
            for (int c = 0; c < classes; c++) {
                base[c] = 2.5 * r.nextGaussian();
            }
            for (int m = 0; m < 3; m++) {
                for (int c = 0; c < classes; c++) {
                    z[i][m][c] = base[c] + 0.7 * r.nextGaussian();
                }
            }
            double[] p = Softmax.memberMean(z[i], 2.0);
            double u = r.nextDouble();
            int c = 0;
            while (c < classes - 1 && (u -= p[c]) >= 0) {
                c++;
            }
            y[i] = c;
        }
        return new LabelledLogits(List.of("blues", "classical", "country", "disco", "hiphop", "jazz", "metal",
                "pop", "reggae", "rock"), z, y, List.of());
    }

    private static double[][] probabilities(LabelledLogits d, double t) {
        double[][][] z = d.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = Softmax.memberMean(z[i], t);
        }
        return p;
    }

    @Test
    void reliabilityDiagramIsWrittenAsPngAndSvg() throws IOException {
        LabelledLogits d = overconfident(1, 800);
        Path png = OUT.resolve("reliability-T1.png");
        Path svg = OUT.resolve("reliability-T1.svg");
        charts.reliability(probabilities(d, 1), d.truth(), 15, "Synthetic ensemble, T = 1", png);
        charts.reliability(probabilities(d, 1), d.truth(), 15, "Synthetic ensemble, T = 1", svg);
        charts.reliability(probabilities(d, 2), d.truth(), 15, "Synthetic ensemble, T = 2",
                OUT.resolve("reliability-T2.png"));
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(Charts.WIDTH, image.getWidth());
        assertEquals(Charts.HEIGHT, image.getHeight());
        String text = Files.readString(svg, StandardCharsets.UTF_8);
        assertTrue(text.contains("<svg"), "not an SVG document");
        assertTrue(text.contains("ECE"), "metrics missing from the title");
        assertTrue(text.contains("Perfect calibration"), "legend missing");
        try (var files = Files.list(OUT)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @Test
    void sweepMarksEachDataSetsOptimum() throws IOException {
        Map<String, LabelledLogits> data = new LinkedHashMap<>();
        data.put("validation", overconfident(2, 600));
        data.put("test", overconfident(3, 600));
        Path png = OUT.resolve("sweep-nll.png");
        Map<String, Double> best = charts.sweep(data, Metric.NLL, 15, 0.5, 8, 2.0, "NLL against T", png);
        assertEquals(List.of("validation", "test"), List.copyOf(best.keySet()));
        for (double t : best.values()) {
            assertEquals(2.0, t, 0.3, "the truth is T = 2");
        }
        Map<String, Double> ece = charts.sweep(data, Metric.ECE, 15, 0.5, 8, 2.0, "ECE against T",
                OUT.resolve("sweep-ece.svg"));
        assertTrue(ece.get("test") > 1.2 && ece.get("test") < 3.5, ece.toString());
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
    }

    @Test
    void unknownFormatsAndBadRangesAreRejected() {
        LabelledLogits d = overconfident(4, 50);
        assertThrows(IllegalArgumentException.class,
                () -> charts.reliability(probabilities(d, 1), d.truth(), 15, "x", OUT.resolve("chart.gif")));
        assertThrows(IllegalArgumentException.class,
                () -> charts.sweep(Map.of("a", d), Metric.NLL, 15, 2, 1, Double.NaN, "x", OUT.resolve("s.png")));
    }
}
