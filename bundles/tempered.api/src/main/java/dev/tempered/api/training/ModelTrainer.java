package dev.tempered.api.training;

import dev.tempered.api.TemperedException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Trains a deep ensemble of small heads on a backbone's embedding of labelled music, fits its temperature on one
 * held-out part, measures it on another and writes a model package into the watched models folder. The one owner
 * of the training use case: the command line, Gogo and host actions call it. Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface ModelTrainer {
    /**
     * Trains, calibrates, evaluates and writes a package.
     *
     * @param listener told of progress and warnings, and asked whether to stop
     * @throws TemperedException if the data cannot make a model (a single class, a class with too few tracks or
     *                           albums, nothing decodable), the backbone is missing, the run was cancelled, or the
     *                           package cannot be written; files that fail to decode are not errors, they are
     *                           listed in the result
     */
    TrainingResult train(TrainingRequest request, TrainingListener listener) throws TemperedException;
}
