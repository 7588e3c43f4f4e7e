package dev.tempered.api;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * Where Tempered keeps models, configuration, caches, the journal and the library index. The launcher resolves it
 * once and hands it to the framework as the {@value #PROPERTY} property; bundles read that property through this
 * class so that a host which embeds the bundles without the launcher gets the same rule.
 */
public final class TemperedHome {
    /** The framework property holding the home folder. */
    public static final String PROPERTY = "tempered.home";

    private TemperedHome() {
    }

    /**
     * The home folder: {@code frameworkProperty} if set, else {@code $TEMPERED_HOME}, else {@code ~/.tempered}.
     *
     * @param frameworkProperty the value of {@value #PROPERTY}, or null when the framework has none
     */
    public static Path resolve(@Nullable String frameworkProperty) {
        return resolve(frameworkProperty, System.getenv("TEMPERED_HOME"), System.getProperty("user.home"));
    }

    static Path resolve(@Nullable String frameworkProperty, @Nullable String environment, String userHome) {
        if (frameworkProperty != null && !frameworkProperty.isBlank()) {
            return Path.of(frameworkProperty).toAbsolutePath();
        }
        if (environment != null && !environment.isBlank()) {
            return Path.of(environment).toAbsolutePath();
        }
        return Path.of(userHome, ".tempered");
    }
}
