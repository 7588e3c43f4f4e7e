package dev.tempered.api.plugin;

import dev.tempered.api.TemperedException;
import java.nio.file.Path;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * A menu item a host shows for Tempered, registered as a service. Hosts track these services and rebuild
 * their menus as they come and go (for instance one "use model X" item per installed model).
 */
@ProviderType
public interface PluginAction {
    /** A stable id, e.g. {@code tempered.analyze}. */
    String id();

    /** The label of the menu item. */
    String label();

    /** Where the item goes, as menu names from the top, e.g. {@code ["Tempered", "Models"]}. */
    List<String> menuPath();

    /** Whether the action applies to this selection (an empty selection is allowed for global actions). */
    boolean appliesTo(List<Path> selection);

    /** Whether the item is enabled now (e.g. a "use model" item is disabled for the active model). */
    boolean enabled();

    /**
     * Runs the action on the selection. Long actions report progress and check for cancellation between files.
     *
     * @throws TemperedException if the action as a whole cannot run; per-file failures go into the result
     */
    ActionResult run(List<Path> selection, ProgressMonitor monitor) throws TemperedException;
}
