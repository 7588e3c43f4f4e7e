package dev.tempered.library.internal;

import dev.tempered.api.TemperedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Maps genre names as people write them (folder names, genre tags) onto a model's labels. Names are compared
 * after lowercasing and dropping everything but letters and digits, so {@code Hip-Hop}, {@code hip hop} and
 * {@code HIPHOP} are one name. The defaults cover the usual names of the GTZAN genres and their close kin; a
 * mapping file adds to them or overrides them, one {@code name = label} per line ({@code #} starts a comment).
 */
final class GenreMapping {
    private static final String[][] DEFAULTS = {
        {"blues", "blues", "delta blues", "chicago blues", "rhythm and blues", "r&b", "rnb", "soul blues"},
        {"classical", "classical", "classic", "orchestral", "orchestra", "symphony", "symphonic", "baroque",
            "romantic", "chamber music", "chamber", "opera", "choral", "piano", "string quartet", "early music",
            "contemporary classical", "modern classical", "neoclassical"},
        {"country", "country", "bluegrass", "americana", "country rock", "honky tonk", "western"},
        {"disco", "disco", "funk", "nu disco", "eurodisco", "dance"},
        {"hiphop", "hip hop", "hiphop", "hip-hop", "rap", "trap", "gangsta rap", "hip hop rap"},
        {"jazz", "jazz", "swing", "bebop", "big band", "fusion", "jazz fusion", "smooth jazz", "cool jazz",
            "free jazz"},
        {"metal", "metal", "heavy metal", "death metal", "black metal", "thrash metal", "thrash", "doom metal",
            "power metal", "nu metal", "metalcore", "speed metal"},
        {"pop", "pop", "synthpop", "synth pop", "dance pop", "pop rock", "teen pop", "europop", "k pop", "electropop"},
        {"reggae", "reggae", "ska", "dub", "dancehall", "roots reggae", "rocksteady"},
        {"rock", "rock", "hard rock", "classic rock", "alternative", "alternative rock", "indie rock", "indie",
            "punk", "punk rock", "grunge", "rock and roll", "rock n roll", "psychedelic rock", "progressive rock",
            "prog rock", "garage rock"},
    };

    private final List<String> labels;
    private final Map<String, String> byName = new HashMap<>();

    private GenreMapping(List<String> labels) {
        this.labels = List.copyOf(labels);
        for (String label : labels) {
            byName.put(normalise(label), label);
        }
        for (String[] row : DEFAULTS) {
            if (labels.contains(row[0])) {
                for (int i = 1; i < row.length; i++) {
                    byName.putIfAbsent(normalise(row[i]), row[0]);
                }
            }
        }
    }

    /** The default mapping onto these labels, plus the mapping file's lines if a file is given. */
    static GenreMapping load(List<String> labels, Path file) throws TemperedException {
        GenreMapping m = new GenreMapping(labels);
        if (file == null) {
            return m;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new TemperedException(file, "cannot read the label mapping: " + e.getMessage(), e);
        }
        int n = 0;
        for (String raw : lines) {
            n++;
            String line = raw.contains("#") ? raw.substring(0, raw.indexOf('#')) : raw;
            if (line.isBlank()) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                throw new TemperedException(file, "line " + n + ": expected 'name = label', got '" + raw.trim() + "'");
            }
            String name = line.substring(0, eq).trim();
            String label = line.substring(eq + 1).trim();
            if (!labels.contains(label)) {
                throw new TemperedException(file, "line " + n + ": '" + label + "' is not a label of the model "
                        + labels);
            }
            m.byName.put(normalise(name), label);
        }
        return m;
    }

    /** The model label a name maps to; a multi-valued tag ({@code Rock; Pop}) maps by its first mapped part. */
    Optional<String> map(String name) {
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        String whole = byName.get(normalise(name));
        if (whole != null) {
            return Optional.of(whole);
        }
        String[] parts = name.split("[;/,|\\u0000]");
        for (String part : parts) {
            String p = byName.get(normalise(part));
            if (p != null) {
                return Optional.of(p);
            }
        }
        for (String part : parts) {
            Optional<String> p = byWords(part);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /**
     * The one label that a name's words (or two adjacent words, "hip hop") map to: "Romantic Classical" (how
     * Debian's wesnoth music is tagged) is classical; "Blues Rock" names two labels and maps to none.
     */
    private Optional<String> byWords(String part) {
        String[] words = part.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
        java.util.TreeSet<String> found = new java.util.TreeSet<>();
        for (int w = 0; w < words.length; w++) {
            String one = byName.get(normalise(words[w]));
            if (one != null) {
                found.add(one);
            }
            if (w + 1 < words.length) {
                String two = byName.get(normalise(words[w] + words[w + 1]));
                if (two != null) {
                    found.add(two);
                }
            }
        }
        return found.size() == 1 ? Optional.of(found.first()) : Optional.empty();
    }

    List<String> labels() {
        return labels;
    }

    static String normalise(String s) {
        String t = s.toLowerCase(Locale.ROOT).replace("&", "and");
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
