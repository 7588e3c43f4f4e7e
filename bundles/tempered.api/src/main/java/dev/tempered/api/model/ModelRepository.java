package dev.tempered.api.model;

import dev.tempered.api.ModelRef;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The installed model packages and the active one per task. Thread-safe. Packages arrive through
 * {@link #install} or by being dropped into the watched model folder; each is verified before it is listed.
 * Changes are announced to {@link ModelRepositoryListener} services.
 */
@ProviderType
public interface ModelRepository {
    /** Every installed, verified package. */
    List<ModelSpec> installed();

    /** The active model's declaration for a task, if any. */
    Optional<ModelSpec> active(String task);

    /**
     * Leases the active model for a task; requests in flight keep their model across swaps.
     *
     * @throws InferenceException if no model is active for the task
     */
    ModelLease lease(String task) throws InferenceException;

    /**
     * Leases a specific installed model, active or not.
     *
     * @param version a version, or {@code null} for the highest installed
     * @throws InferenceException if no such model is installed
     */
    ModelLease lease(String id, @Nullable String version) throws InferenceException;

    /**
     * Verifies and installs a package (a directory or a .zip holding {@code model.json}).
     *
     * @throws ModelPackageException if it fails verification; nothing changes then
     */
    ModelSpec install(Path pkg) throws ModelPackageException;

    /** Removes an installed package; if it was active, the next candidate of its task becomes active. */
    boolean uninstall(ModelRef ref);

    /**
     * Makes a model the active one for its task, until configuration says otherwise.
     *
     * @param version a version, or {@code null} for the highest installed
     * @throws InferenceException if no such model is installed
     */
    ModelSpec activate(String id, @Nullable String version) throws InferenceException;
}
