package dev.tempered.launcher.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MenuTreeTest {
    @Test
    void menuPathsBecomeNestedMenusInServiceOrder() {
        var analyse = new FakeAction("a", "Analyse", List.of("Tempered"), p -> Map.of());
        var use = new FakeAction("u", "Use X", List.of("Tempered", "Models"), p -> Map.of());
        var diagram = new FakeAction("d", "Diagram", List.of("Tempered", "Calibration"), p -> Map.of());
        var loose = new FakeAction("l", "Loose", List.of(), p -> Map.of());
        assertEquals("""
                Tempered
                  - Analyse [a]
                  Models
                    - Use X [u]
                  Calibration
                    - Diagram [d]
                Plugins
                  - Loose [l]
                """, MenuTree.outline(List.of(analyse, use, diagram, loose)));
    }
}
