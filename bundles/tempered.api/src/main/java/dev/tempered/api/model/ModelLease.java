package dev.tempered.api.model;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A hold on the model that was active when the lease was taken. The model stays open until every lease on
 * it is closed, even if another model has become active since. Close it in a try-with-resources block.
 */
@ProviderType
public interface ModelLease extends AutoCloseable {
    /** The leased model; valid until {@link #close()}. */
    EnsembleModel model();

    @Override
    void close();
}
