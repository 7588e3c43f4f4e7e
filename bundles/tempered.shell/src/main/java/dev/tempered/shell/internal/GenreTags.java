package dev.tempered.shell.internal;

import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads a file's existing genre tag as a class of a model, for recalibration and reliability on the user's own files. */
final class GenreTags {
    private GenreTags() {
    }

    /**
     * The index in {@code labels} of the file's genre tag, compared ignoring case, spaces and punctuation
     * ("Hip-Hop" is {@code hiphop}); with several genre values the first that is a label wins.
     *
     * @throws TagException naming the file when it has no genre or none the model knows
     */
    static int truth(TagWriter writer, Path file, List<String> labels) throws TagException {
        Map<String, String> tags = writer.read(file);
        String genre = tags.get("GENRE");
        if (genre == null || genre.isBlank()) {
            throw new TagException(file, "no genre tag to learn from");
        }
        for (String value : genre.split("[;/,\\u0000]")) {
            String key = normal(value);
            for (int i = 0; i < labels.size(); i++) {
                if (normal(labels.get(i)).equals(key)) {
                    return i;
                }
            }
        }
        throw new TagException(file, "its genre '" + genre.trim() + "' is not one of the model's labels");
    }

    static String normal(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
    }
}
