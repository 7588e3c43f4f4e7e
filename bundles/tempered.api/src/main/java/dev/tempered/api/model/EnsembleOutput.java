package dev.tempered.api.model;

import dev.tempered.api.ModelRef;
import java.util.Objects;

/**
 * Raw member logits for a batch, attributed to the model version that produced them.
 *
 * @param model   which model id@version ran
 * @param batch   rows in the batch
 * @param members member distributions per row (ensemble members, or MC dropout passes)
 * @param classes classes per distribution, in the order of the model's labels
 * @param logits  row-major {@code [batch][members][classes]}, copied in and out
 */
public record EnsembleOutput(ModelRef model, int batch, int members, int classes, float[] logits) {
    public EnsembleOutput {
        Objects.requireNonNull(model, "model");
        if (logits.length != (long) batch * members * classes) {
            throw new IllegalArgumentException("logits length " + logits.length + " != " + batch + "x" + members
                    + "x" + classes);
        }
        logits = logits.clone();
    }

    @Override
    public float[] logits() {
        return logits.clone();
    }

    /** One logit. */
    public float logit(int row, int member, int cls) {
        return logits[(row * members + member) * classes + cls];
    }

    /** The {@code [members][classes]} logits of one row. */
    public double[][] row(int row) {
        double[][] out = new double[members][classes];
        for (int m = 0; m < members; m++) {
            for (int c = 0; c < classes; c++) {
                out[m][c] = logit(row, m, c);
            }
        }
        return out;
    }
}
