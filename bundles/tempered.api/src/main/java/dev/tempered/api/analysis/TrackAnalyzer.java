package dev.tempered.api.analysis;

import dev.tempered.api.TemperedException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Analyses tracks with the active model (or a named one) and its current temperature. Thread-safe; each call
 * uses one model version from start to end even if the active model is swapped meanwhile.
 */
@ProviderType
public interface TrackAnalyzer {
    /**
     * Analyses one track.
     *
     * @param modelId a model id, or {@code null} for the active genre model
     * @throws TemperedException naming the file: unreadable audio, no such model, inference failure
     */
    TrackAnalysis analyze(Path file, @Nullable String modelId) throws TemperedException;

    /**
     * Analyses several tracks, batching their windows through the model.
     *
     * @return one entry per file, in order: the analysis, or the failure for that file
     */
    List<Outcome> analyzeAll(List<Path> files, @Nullable String modelId);

    /**
     * One file's outcome in a batch: exactly one of {@code analysis} and {@code failure} is non-null.
     *
     * @param file     the file
     * @param analysis the result, or null
     * @param failure  the error, or null
     */
    record Outcome(Path file, @Nullable TrackAnalysis analysis, @Nullable TemperedException failure) {
    }
}
