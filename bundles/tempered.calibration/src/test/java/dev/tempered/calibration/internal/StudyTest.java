package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.StudyRequest;
import dev.tempered.api.calibration.StudyResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study on synthetic logits whose calibrated temperature is known: each row's true distribution is
 * softmax(u), the label is drawn from it, and the members report 2.5 u plus member noise, so T near 2.5
 * restores calibration. The test part's logits are scaled by 3 instead: its optimal T must come out higher.
 */
class StudyTest {
    private static final List<String> LABELS = List.of("a", "b", "c", "d");

    private static LabelledLogits data(int n, int members, double validationScale, double testScale, long seed) {
        Random r = new Random(seed);
        double[][][] z = new double[n][members][LABELS.size()];
        int[] y = new int[n];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean test = i % 2 == 1;
            double[] u = new double[LABELS.size()];
            for (int c = 0; c < u.length; c++) {
                u[c] = 1.5 * r.nextGaussian();
            }
            double[] p = new double[u.length];
            Softmax.probabilities(u, 1, p);
            double x = r.nextDouble();
            int label = 0;
            for (double acc = p[0]; acc < x && label < p.length - 1; acc += p[++label]) {
                // draw the label from the true distribution
            }
            y[i] = label;
            for (int m = 0; m < members; m++) {
                for (int c = 0; c < u.length; c++) {
                    z[i][m][c] = (test ? testScale : validationScale) * u[c] + 0.2 * r.nextGaussian();
                }
            }
            names.add(String.format("track%04d.mp3", i));
        }
        return new LabelledLogits(LABELS, z, y, names);
    }

    @Test
    void fitsOnValidationMeasuresOnTestAndWritesTheReport(@TempDir Path dir) throws Exception {
        LabelledLogits ens = data(2000, 5, 2.5, 3.0, 1);
        LabelledLogits mc = data(2000, 30, 2.5, 3.0, 1);
        Set<String> va = new HashSet<>();
        Set<String> te = new HashSet<>();
        for (int i = 0; i < ens.size(); i++) {
            (i % 2 == 0 ? va : te).add(ens.rowNames().get(i));
        }
        StudyResult result = new Study().run(new StudyRequest("toy@1", "toy.csv", ens, Optional.of(mc), va, te,
                "the package's provenance", 2.0, 15, 50, 1), dir);
        assertEquals(List.of("single network (member 1)", "MC dropout (30 passes)", "deep ensemble (5)"),
                result.variants().stream().map(StudyResult.Variant::name).toList());
        for (StudyResult.Variant v : result.variants()) {
            assertTrue(Math.abs(v.validationT() - 2.5) < 0.25, v.name() + " validation T " + v.validationT());
            assertTrue(v.testT() > v.validationT() + 0.2, v.name() + ": test T " + v.testT() + " should be higher");
            assertTrue(v.scaled().get(Metric.ECE).value() < v.uncalibrated().get(Metric.ECE).value(),
                    v.name() + ": scaling with the validation T must lower the test ECE");
            assertEquals(v.uncalibrated().get(Metric.ACCURACY).value(), v.scaled().get(Metric.ACCURACY).value(), 0);
        }
        assertTrue(result.split().contains("validation 1000 rows, test 1000 rows"), result.split());
        String html = Files.readString(result.page());
        for (String s : List.of("single", "mc-dropout", "ensemble")) {
            for (String f : List.of("sweep-" + s + "-nll", "sweep-" + s + "-ece", "sweep-" + s + "-mae",
                    "reliability-" + s + "-validation-T1", "reliability-" + s + "-validation-Tval",
                    "reliability-" + s + "-test-T1", "reliability-" + s + "-test-Tval")) {
                assertTrue(Files.size(dir.resolve(f + ".png")) > 1000, f);
                assertTrue(Files.size(dir.resolve(f + ".svg")) > 1000, f);
                assertTrue(html.contains(f + ".png"), "page shows " + f);
            }
        }
        for (String csv : List.of("metrics.csv", "sweep.csv", "optima.csv", "methods.csv", "baselines.csv")) {
            assertTrue(Files.readAllLines(dir.resolve(csv)).size() > 3, csv);
        }
        String md = Files.readString(result.summary());
        assertTrue(md.contains("histogram binning") && md.contains("isotonic regression") && md.contains("VECTOR_SCALING"));
        // 3 variants x 2 parts x 61 temperatures
        assertEquals(1 + 3 * 2 * Charts.SWEEP_POINTS, Files.readAllLines(dir.resolve("sweep.csv")).size());
    }

    @Test
    void withoutAGivenSplitWholeFilesGoToOnePart(@TempDir Path dir) throws Exception {
        // Two windows per file: the stated split must keep them together, half the files of each label each side.
        LabelledLogits one = data(400, 1, 2.0, 2.0, 3);
        double[][][] z = one.logits();
        double[][][] z2 = new double[800][][];
        int[] y2 = new int[800];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 800; i++) {
            z2[i] = z[i / 2];
            y2[i] = one.truth()[i / 2];
            names.add(one.rowNames().get(i / 2));
        }
        LabelledLogits windows = new LabelledLogits(LABELS, z2, y2, names);
        List<List<Integer>> parts = new ArrayList<>();
        Study.split(new StudyRequest("m@1", "dir", windows, Optional.empty(), Set.of(), Set.of(), "", 1, 15, 0, 1),
                parts);
        Set<String> va = new HashSet<>();
        parts.get(0).forEach(i -> va.add(names.get(i)));
        parts.get(1).forEach(i -> assertTrue(!va.contains(names.get(i)), names.get(i) + " in both parts"));
        assertTrue(Math.abs(parts.get(0).size() - 400) <= 2 * LABELS.size(), "about half: " + parts.get(0).size());
        StudyResult r = new Study().run(new StudyRequest("m@1", "dir", windows, Optional.empty(), Set.of(), Set.of(),
                "", 1, 15, 0, 1), dir);
        assertEquals(List.of("single network"), r.variants().stream().map(StudyResult.Variant::name).toList());
        assertTrue(r.split().startsWith("Split (stated by the study"), r.split());
        // A package split that names none of these rows falls back to the stated split.
        List<List<Integer>> again = new ArrayList<>();
        String text = Study.split(new StudyRequest("m@1", "dir", windows, Optional.empty(), Set.of("x.au"),
                Set.of("y.au"), "the package's provenance", 1, 15, 0, 1), again);
        assertEquals(parts, again);
        assertTrue(text.startsWith("Split (stated by the study"), text);
    }
}
