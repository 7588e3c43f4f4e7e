package dev.tempered.tagwriter.internal;

import dev.tempered.api.tag.TagFields;
import java.util.Locale;
import java.util.Map;

/**
 * The last guard before a tag reaches a file: Tempered's numeric fields must hold finite numbers. A plan can be
 * built by any caller, so {@code apply} checks what it is about to write, not only what {@code plan} computed.
 */
final class TagNumbers {
    private TagNumbers() {
    }

    /** Why these fields must not be written, or null when every number in them is finite. */
    static String problem(Map<String, String> fields) {
        String c = fields.get(TagFields.CONFIDENCE);
        if (c != null && !c.isEmpty() && !finite(c)) {
            return TagFields.CONFIDENCE + " is not a finite number ('" + c + "')";
        }
        String d = fields.get(TagFields.DISTRIBUTION);
        if (d != null && !d.isEmpty()) {
            for (String pair : d.split(";", -1)) {
                int eq = pair.lastIndexOf('=');
                if (eq < 0 || !finite(pair.substring(eq + 1))) {
                    return TagFields.DISTRIBUTION + " holds a non-finite or malformed entry ('" + pair + "')";
                }
            }
        }
        String m = fields.get(TagFields.MODEL);
        if (m != null) {
            int t = m.lastIndexOf(" T=");
            if (t >= 0 && !finite(m.substring(t + 3))) {
                return TagFields.MODEL + " holds a non-finite temperature ('" + m + "')";
            }
        }
        return null;
    }

    private static boolean finite(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        // Double.parseDouble accepts "NaN", "Infinity" and hex floats; only a plain finite decimal is wanted here.
        if (!s.matches("[-+]?(\\d+(\\.\\d*)?|\\.\\d+)(e[-+]?\\d+)?")) {
            return false;
        }
        return Double.isFinite(Double.parseDouble(s));
    }
}
