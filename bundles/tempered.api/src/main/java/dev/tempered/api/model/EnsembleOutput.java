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
 * @param embeddingSize values per row in {@code embeddings}; 0 when the graph declares no embedding
 * @param embeddings    row-major {@code [batch][embeddingSize]}: the graph's embedding of each input (for a
 *                      convnet package, the backbone's features), copied in and out
 */
public record EnsembleOutput(ModelRef model, int batch, int members, int classes, float[] logits, int embeddingSize,
        float[] embeddings) {
    public EnsembleOutput {
        Objects.requireNonNull(model, "model");
        if (logits.length != (long) batch * members * classes) {
            throw new IllegalArgumentException("logits length " + logits.length + " != " + batch + "x" + members
                    + "x" + classes);
        }
        if (embeddingSize < 0 || embeddings.length != (long) batch * embeddingSize) {
            throw new IllegalArgumentException("embeddings length " + embeddings.length + " != " + batch + "x"
                    + embeddingSize);
        }
        logits = logits.clone();
        embeddings = embeddings.clone();
    }

    /** Logits only, for graphs without an embedding output. */
    public EnsembleOutput(ModelRef model, int batch, int members, int classes, float[] logits) {
        this(model, batch, members, classes, logits, 0, new float[0]);
    }

    @Override
    public float[] embeddings() {
        return embeddings.clone();
    }

    /**
     * The embedding of one row.
     *
     * @since 1.1
     * @return {@code embeddingSize} values, empty when the graph declares none
     */
    public float[] embedding(int row) {
        return java.util.Arrays.copyOfRange(embeddings, row * embeddingSize, (row + 1) * embeddingSize);
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
