package dev.tempered.library.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.TemperedHome;
import dev.tempered.api.library.TaggingDefaults;
import dev.tempered.api.library.TaggingSettings;
import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagPolicy.ExistingGenre;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Reads {@code tempered.conf}: lines {@code key = value}, {@code #} comments. Keys: {@code min.confidence},
 * {@code min.suggest} (probabilities), {@code genre} (keep, replace, append, fill-empty), {@code genre.map} (a
 * vocabulary file, relative to the home folder unless absolute), {@code mtime} (update, keep), {@code model} (a
 * model id). The file is read at each call, so an edit needs no restart; every mistake names its line.
 */
@Component(service = TaggingSettings.class)
public final class TaggingSettingsComponent implements TaggingSettings {
    static final List<String> KEYS = List.of("min.confidence", "min.suggest", "genre", "genre.map", "mtime", "model");
    private final Path file;

    @Activate
    public TaggingSettingsComponent(BundleContext context) {
        this(TemperedHome.resolve(context.getProperty(TemperedHome.PROPERTY)).resolve(FILE_NAME));
    }

    /** For tests and non-OSGi use: the settings in that file. */
    public TaggingSettingsComponent(Path file) {
        this.file = file;
    }

    @Override
    public TaggingDefaults defaults() throws TemperedException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return TaggingDefaults.none();
        } catch (IOException e) {
            throw new TemperedException(file, "could not read the settings: " + e.getMessage(), e);
        }
        Double min = null;
        Double suggest = null;
        ExistingGenre genre = null;
        GenreNames names = null;
        Boolean keep = null;
        String model = null;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = "line " + (i + 1);
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw bad(where, "'" + line + "' is not 'key = value'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw bad(where, "unknown setting '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
            if (!seen.add(key)) {
                throw bad(where, key + " is set twice");
            }
            if (value.isEmpty()) {
                throw bad(where, key + " has no value");
            }
            switch (key) {
                case "min.confidence" -> min = probability(where, key, value);
                case "min.suggest" -> suggest = probability(where, key, value);
                case "genre" -> genre = switch (value) {
                    case "keep" -> ExistingGenre.KEEP;
                    case "replace" -> ExistingGenre.REPLACE;
                    case "append" -> ExistingGenre.APPEND;
                    case "fill-empty" -> ExistingGenre.FILL_EMPTY;
                    default -> throw bad(where, "genre must be keep, replace, append or fill-empty, not '" + value
                            + "'");
                };
                case "genre.map" -> {
                    Path map = file.toAbsolutePath().getParent().resolve(value);
                    try {
                        names = GenreNames.load(map);
                    } catch (NoSuchFileException e) {
                        throw bad(where, "genre.map " + map + ": no such file");
                    } catch (IOException | RuntimeException e) {
                        throw bad(where, "genre.map " + map + ": " + e.getMessage());
                    }
                }
                case "mtime" -> keep = switch (value) {
                    case "keep" -> Boolean.TRUE;
                    case "update" -> Boolean.FALSE;
                    default -> throw bad(where, "mtime must be update or keep, not '" + value + "'");
                };
                default -> model = value;
            }
        }
        if (min != null && suggest != null && suggest > min) {
            throw new TemperedException(file, "min.suggest " + suggest + " is above min.confidence " + min);
        }
        return new TaggingDefaults(min, suggest, genre, names, keep, model, file);
    }

    private Double probability(String where, String key, String value) throws TemperedException {
        double p;
        try {
            p = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw bad(where, key + " must be a number in [0, 1], not '" + value + "'");
        }
        if (!(p >= 0 && p <= 1)) {
            throw bad(where, key + " must be in [0, 1], not " + value);
        }
        return p;
    }

    private TemperedException bad(String where, String why) {
        return new TemperedException(file, where + ": " + why);
    }

    Path file() {
        return file;
    }
}
