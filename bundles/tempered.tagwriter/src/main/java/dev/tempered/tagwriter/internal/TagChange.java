package dev.tempered.tagwriter.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The edit a handler makes: the genre values to set ({@code null}: leave the genre alone; empty: remove it) and
 * Tempered's fields to set, where an empty value removes the field. Fields not named are left alone.
 */
record TagChange(List<String> genres, Map<String, String> fields) {
    TagChange {
        genres = genres == null ? null : List.copyOf(genres);
        fields = Map.copyOf(fields);
    }

    /** The values a file with {@code before} must read back after this change. */
    TagValues expectedAfter(TagValues before) {
        Map<String, String> ours = new LinkedHashMap<>(before.fields());
        fields.forEach((k, v) -> {
            if (v.isEmpty()) {
                ours.remove(k);
            } else {
                ours.put(k, v);
            }
        });
        return new TagValues(genres == null ? before.genres() : new ArrayList<>(genres), ours, before.others());
    }
}
