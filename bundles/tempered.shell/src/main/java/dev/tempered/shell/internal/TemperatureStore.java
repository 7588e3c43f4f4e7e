package dev.tempered.shell.internal;

import dev.tempered.api.calibration.TemperatureSettings;

/** The shell's name for {@link TemperatureSettings}, kept so its actions and tests read as before. */
public interface TemperatureStore extends TemperatureSettings {
}
