package dev.tempered.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TemperedHomeTest {
    @Test
    void theFrameworkPropertyWinsThenTheEnvironmentThenTheUsersHome() {
        assertEquals(Path.of("/srv/a"), TemperedHome.resolve("/srv/a", "/srv/b", "/home/u"));
        assertEquals(Path.of("/srv/b"), TemperedHome.resolve(null, "/srv/b", "/home/u"));
        assertEquals(Path.of("/srv/b"), TemperedHome.resolve(" ", "/srv/b", "/home/u"));
        assertEquals(Path.of("/home/u/.tempered"), TemperedHome.resolve(null, "", "/home/u"));
        assertEquals(Path.of("rel").toAbsolutePath(), TemperedHome.resolve(null, "rel", "/home/u"));
    }
}
