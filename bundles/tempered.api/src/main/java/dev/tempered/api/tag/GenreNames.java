package dev.tempered.api.tag;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The vocabulary a genre is written in: a model's label ({@code hiphop}) becomes the name a librarian's other tools
 * expect ({@code Hip-Hop}). Labels not in the map are written in title case.
 *
 * @param names label to written name; keys are compared ignoring case
 */
public record GenreNames(Map<String, String> names) {
    /** GTZAN's labels whose title case is not the usual spelling; every other label is title-cased. */
    private static final Map<String, String> DEFAULTS = Map.of("hiphop", "Hip-Hop");

    public GenreNames {
        Map<String, String> m = new LinkedHashMap<>();
        names.forEach((k, v) -> m.put(k.trim().toLowerCase(Locale.ROOT), v.trim()));
        names = Map.copyOf(m);
    }

    /** The built-in map: {@code hiphop = Hip-Hop}, title case for the rest. */
    public static GenreNames defaults() {
        return new GenreNames(DEFAULTS);
    }

    /**
     * Reads a map file: lines {@code label = Genre}; blank lines and lines starting with {@code #} are ignored.
     * The built-in entries stay unless the file names the same label.
     *
     * @throws IOException if the file cannot be read, or a line has no {@code =} (the message names the line)
     */
    public static GenreNames load(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>(DEFAULTS);
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || line.substring(eq + 1).isBlank()) {
                throw new IOException(file + ":" + (i + 1) + ": expected 'label = Genre', found '" + line + "'");
            }
            m.put(line.substring(0, eq).trim().toLowerCase(Locale.ROOT), line.substring(eq + 1).trim());
        }
        return new GenreNames(m);
    }

    /** The name a label is written as. */
    public String name(String label) {
        String mapped = names.get(label.trim().toLowerCase(Locale.ROOT));
        return mapped != null ? mapped : titleCase(label.trim());
    }

    /**
     * Whether a genre already in a file means this label: the same written name or label, ignoring case, spaces,
     * hyphens and other punctuation ({@code Hip Hop}, {@code hip-hop} and {@code HipHop} all mean {@code hiphop}).
     */
    public boolean means(String genre, String label) {
        String g = key(genre);
        return !g.isEmpty() && (g.equals(key(label)) || g.equals(key(name(label))));
    }

    private static String key(String s) {
        StringBuilder sb = new StringBuilder();
        s.toLowerCase(Locale.ROOT).codePoints().filter(Character::isLetterOrDigit).forEach(sb::appendCodePoint);
        return sb.toString();
    }

    static String titleCase(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(start ? Character.toTitleCase(c) : c);
            start = c == ' ' || c == '-' || c == '/' || c == '&' || c == '(';
        }
        return sb.toString();
    }
}
