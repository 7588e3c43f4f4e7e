package dev.tempered.tagwriter.internal;

import dev.tempered.api.tag.TagFields;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a handler reads from a file: the genre values, Tempered's fields that are present, and a fingerprint of
 * every other tag field (name to digests of the raw values, pictures included) used to prove they survived.
 */
record TagValues(List<String> genres, Map<String, String> fields, Map<String, List<String>> others) {
    /** The key of the genre in the maps the API exposes. */
    static final String GENRE = "GENRE";
    /** Joins several genre values in the API's string maps; the journal keeps them as lists. */
    static final String GENRE_SEPARATOR = "; ";
    static final List<String> OUR_FIELDS =
            List.of(TagFields.CONFIDENCE, TagFields.DISTRIBUTION, TagFields.MODEL, TagFields.STATUS,
                    TagFields.SUGGESTION);

    TagValues {
        genres = List.copyOf(genres);
        fields = Map.copyOf(fields);
        others = Map.copyOf(others);
    }

    /** Genre and Tempered's fields as the API's flat map ({@code GENRE} joined with "; "), sorted by name. */
    Map<String, String> asApiMap() {
        Map<String, String> m = new TreeMap<>(fields);
        if (!genres.isEmpty()) {
            m.put(GENRE, String.join(GENRE_SEPARATOR, genres));
        }
        return m;
    }

    /** Genre and Tempered's fields as lists, for the journal. */
    Map<String, List<String>> asJournalMap() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (!genres.isEmpty()) {
            m.put(GENRE, genres);
        }
        fields.forEach((k, v) -> m.put(k, List.of(v)));
        return m;
    }
}
