package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenreMappingTest {
    static final List<String> GTZAN = List.of("blues", "classical", "country", "disco", "hiphop", "jazz", "metal",
            "pop", "reggae", "rock");

    @TempDir
    Path tmp;

    @Test
    void spellingsOfOneGenreMapTogether() throws Exception {
        GenreMapping m = GenreMapping.load(GTZAN, null);
        assertEquals(Optional.of("hiphop"), m.map("Hip-Hop"));
        assertEquals(Optional.of("hiphop"), m.map("hip hop"));
        assertEquals(Optional.of("hiphop"), m.map("Rap"));
        assertEquals(Optional.of("classical"), m.map("Orchestral"));
        assertEquals(Optional.of("blues"), m.map("R&B"));
        assertEquals(Optional.of("rock"), m.map("Indie; Pop"), "the first mappable part of a multi-valued tag");
        assertEquals(Optional.of("classical"), m.map("Romantic Classical"), "one label named by its words");
        assertTrue(m.map("Blues Rock").isEmpty(), "two labels named: ambiguous");
        assertTrue(m.map("Soundtrack").isEmpty());
        assertTrue(m.map("").isEmpty());
    }

    @Test
    void defaultsOnlyMapOntoLabelsTheModelHas() throws Exception {
        GenreMapping m = GenreMapping.load(List.of("speech", "music"), null);
        assertTrue(m.map("rock").isEmpty());
        assertEquals(Optional.of("music"), m.map("Music"));
    }

    @Test
    void aMappingFileAddsAndOverrides() throws Exception {
        Path f = tmp.resolve("map.txt");
        Files.writeString(f, "# my names\nSoundtrack = classical\nfunk = pop   # not disco here\n\n");
        GenreMapping m = GenreMapping.load(GTZAN, f);
        assertEquals(Optional.of("classical"), m.map("soundtrack"));
        assertEquals(Optional.of("pop"), m.map("Funk"));
        assertEquals(Optional.of("disco"), m.map("disco"));
    }

    @Test
    void aLineNamingAnUnknownLabelIsRefusedWithItsNumber() throws Exception {
        Path f = tmp.resolve("map.txt");
        Files.writeString(f, "a = rock\nb = polka\n");
        TemperedException e = assertThrows(TemperedException.class, () -> GenreMapping.load(GTZAN, f));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("polka"), e.getMessage());
    }
}
