package dev.tempered.api.model;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A loaded, verified model package ready to run. Thread-safe: many threads may call {@link #run} at once.
 * Obtain one through a {@link ModelLease} so a swap never closes it under a running request.
 */
@ProviderType
public interface EnsembleModel {
    /** The package's declaration. */
    ModelSpec spec();

    /**
     * Runs a batch of front-end vectors.
     *
     * @param inputs {@code [batch][features]}, each row as long as the model's input
     * @return logits {@code [batch][spec().effectiveMembers()][labels]}
     * @throws InferenceException    on a wrong input size or a runtime failure
     * @throws IllegalStateException if the model was closed
     */
    EnsembleOutput run(float[][] inputs) throws InferenceException;

    /**
     * The names of the embedding values {@link #run} returns with the logits (a convnet's features).
     *
     * @since 1.1
     * @return empty when the package declares no embedding output
     */
    default java.util.List<String> embeddingNames() {
        return java.util.List.of();
    }

    /**
     * Runs the package's heads alone on embeddings (rows of the values {@link #embeddingNames} names, as a
     * labelled feature CSV holds them), giving the logits {@link #run} would give for the audio behind them.
     *
     * @since 1.1
     * @throws InferenceException when the package has no heads graph, or on a wrong row size
     */
    default EnsembleOutput runEmbeddings(float[][] embeddings) throws InferenceException {
        throw new InferenceException(spec().ref() + " cannot run on embeddings: its package has no heads graph",
                null);
    }
}
