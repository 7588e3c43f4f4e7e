package dev.tempered.api.calibration;

import java.util.List;
import java.util.Objects;

/**
 * Labelled member logits for fitting and evaluating calibration.
 *
 * @param labels   class labels, the order of the last axis of {@code logits}
 * @param logits   {@code [n][members][classes]} (deep-copied in and out)
 * @param truth    the true class index of each row, in [0, classes)
 * @param rowNames a name per row (file name), or an empty list
 */
public record LabelledLogits(List<String> labels, double[][][] logits, int[] truth, List<String> rowNames) {
    public LabelledLogits {
        labels = List.copyOf(labels);
        logits = deepCopy(Objects.requireNonNull(logits, "logits"));
        truth = truth.clone();
        rowNames = List.copyOf(rowNames);
        if (logits.length != truth.length) {
            throw new IllegalArgumentException("logits and truth differ in length");
        }
    }

    @Override
    public double[][][] logits() {
        return deepCopy(logits);
    }

    @Override
    public int[] truth() {
        return truth.clone();
    }

    /** Rows. */
    public int size() {
        return truth.length;
    }

    private static double[][][] deepCopy(double[][][] a) {
        double[][][] out = new double[a.length][][];
        for (int i = 0; i < a.length; i++) {
            out[i] = new double[a[i].length][];
            for (int m = 0; m < a[i].length; m++) {
                out[i][m] = a[i][m].clone();
            }
        }
        return out;
    }
}
