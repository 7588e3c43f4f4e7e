package dev.tempered.api.model;

import org.osgi.annotation.versioning.ConsumerType;

/** Whiteboard service told when packages are installed or removed and when the active model changes. */
@ConsumerType
public interface ModelRepositoryListener {
    /** Called after the set of installed packages or the active model changed. Must return quickly. */
    void repositoryChanged(ModelRepository repository);
}
