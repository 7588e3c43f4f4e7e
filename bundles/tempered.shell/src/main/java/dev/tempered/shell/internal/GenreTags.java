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
     * ("Hip-Hop" is {@code hiphop}); with several genre values the first that is a label wins. A value that is no
     * label but names exactly one of them as a word ("Romantic Classical", "Delta Blues") counts as that label;
     * one naming two ("Blues Rock") is ambiguous and does not count.
     *
     * @throws TagException naming the file when it has no genre or none the model knows
     */
    static int truth(TagWriter writer, Path file, List<String> labels) throws TagException {
        Map<String, String> tags = writer.read(file);
        String genre = tags.get("GENRE");
        if (genre == null || genre.isBlank()) {
            throw new TagException(file, "no genre tag to learn from");
        }
        if (dev.tempered.api.tag.TagFields.genreWrittenByTempered(tags)) {
            throw new TagException(file, "its genre '" + genre.trim() + "' was written by Tempered, not by a person:"
                    + " no label to learn from");
        }
        String[] values = genre.split("[;/,\\u0000]");
        for (String value : values) {
            String key = normal(value);
            for (int i = 0; i < labels.size(); i++) {
                if (normal(labels.get(i)).equals(key)) {
                    return i;
                }
            }
        }
        for (String value : values) {
            int found = byWord(value, labels);
            if (found >= 0) {
                return found;
            }
        }
        throw new TagException(file, "its genre '" + genre.trim() + "' is not one of the model's labels");
    }

    /** The one label that the value names as a word or as two adjacent words ("hip hop"), else -1. */
    private static int byWord(String value, List<String> labels) {
        String[] words = value.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+");
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int w = 0; w < words.length; w++) {
            keys.add(words[w]);
            if (w + 1 < words.length) {
                keys.add(words[w] + words[w + 1]);
            }
        }
        int found = -1;
        for (int i = 0; i < labels.size(); i++) {
            if (keys.contains(normal(labels.get(i)))) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }

    static String normal(String s) {
        return s.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
    }
}
