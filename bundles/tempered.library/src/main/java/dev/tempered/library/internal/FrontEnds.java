package dev.tempered.library.internal;

import dev.tempered.api.features.FrontEnd;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The front ends installed now, by type; they come and go while jobs run. */
final class FrontEnds {
    private final Map<String, FrontEnd> byType = new ConcurrentHashMap<>();

    void add(FrontEnd frontEnd) {
        byType.put(frontEnd.type(), frontEnd);
    }

    void remove(FrontEnd frontEnd) {
        byType.remove(frontEnd.type(), frontEnd);
    }

    Optional<FrontEnd> find(String type) {
        return Optional.ofNullable(byType.get(type));
    }

    String known() {
        return byType.isEmpty() ? "none" : String.join(", ", byType.keySet());
    }
}
