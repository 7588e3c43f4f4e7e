package dev.tempered.api.library;

import dev.tempered.api.TemperedException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The one owner of {@code $TEMPERED_HOME/tempered.conf}: reads and validates the librarian's tagging defaults for
 * the command line, the Gogo commands, the host actions and the review workflow alike.
 *
 * @since 1.2
 */
@ProviderType
public interface TaggingSettings {
    /** The name of the file in the home folder. */
    String FILE_NAME = "tempered.conf";

    /**
     * The defaults as the file says now (an edit applies to the next job); {@link TaggingDefaults#none()} when there
     * is no file.
     *
     * @throws TemperedException naming the file and the line of a setting that is unknown or has a bad value
     */
    TaggingDefaults defaults() throws TemperedException;
}
