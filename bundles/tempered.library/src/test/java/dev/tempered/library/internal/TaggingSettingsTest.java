package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.TemperedException;
import dev.tempered.api.library.TaggingDefaults;
import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagPolicy.ExistingGenre;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tempered.conf: read and validated in one place; a run's own choices win over it. */
class TaggingSettingsTest {
    @TempDir
    Path home;

    private TaggingDefaults read(String text) throws Exception {
        Path conf = home.resolve("tempered.conf");
        Files.writeString(conf, text);
        return new TaggingSettingsComponent(conf).defaults();
    }

    @Test
    void noFileMeansNothingSet() throws Exception {
        TaggingDefaults d = new TaggingSettingsComponent(home.resolve("tempered.conf")).defaults();
        assertEquals(TaggingDefaults.none(), d);
        TagPolicy p = d.policy(null, null, null, null, null);
        assertEquals(TagPolicy.defaults(), p, "the built-in defaults");
    }

    @Test
    void everySettingIsReadAndTheCommandLineWins() throws Exception {
        Files.writeString(home.resolve("genres.txt"), "hiphop = Rap\n");
        TaggingDefaults d = read("""
                # my library
                min.confidence = 0.8
                min.suggest = 0.4
                genre = keep
                genre.map = genres.txt
                mtime = keep
                model = choi-gtzan
                """);
        assertEquals(0.8, d.minConfidence());
        assertEquals(ExistingGenre.KEEP, d.genre());
        assertEquals("choi-gtzan", d.model(null));
        assertEquals("gtzan-mlp", d.model("gtzan-mlp"));
        TagPolicy p = d.policy(null, null, null, null, null);
        assertEquals(0.8, p.minConfidence());
        assertEquals(0.4, p.suggestConfidence());
        assertEquals(ExistingGenre.KEEP, p.existingGenre());
        assertEquals("Rap", p.genreNames().name("hiphop"));
        assertTrue(p.preserveModified());

        TagPolicy cli = d.policy(0.6, 0.1, ExistingGenre.REPLACE, GenreNames.defaults(), false);
        assertEquals(0.6, cli.minConfidence());
        assertEquals(0.1, cli.suggestConfidence());
        assertEquals(ExistingGenre.REPLACE, cli.existingGenre());
        assertEquals("Hip-Hop", cli.genreNames().name("hiphop"));
        assertEquals(false, cli.preserveModified());

        TaggingDefaults partial = read("mtime = update\n");
        assertTrue(Double.isNaN(partial.policy(null, null, null, null, null).minConfidence()),
                "no threshold anywhere: the model's min.confidence decides");
        assertNull(partial.genre());
    }

    @Test
    void aBadLineIsNamedWithTheFileAndTheCause() {
        String[][] cases = {
            {"min.confidence = 1.5", "line 1", "[0, 1]"},
            {"# c\nmin.suggest = lots", "line 2", "a number"},
            {"genre = overwrite", "line 1", "keep, replace, append or fill-empty"},
            {"mtime = sometimes", "line 1", "update or keep"},
            {"threshold = 0.5", "line 1", "unknown setting 'threshold'"},
            {"genre keep", "line 1", "not 'key = value'"},
            {"genre = keep\ngenre = replace", "line 2", "set twice"},
            {"genre.map = missing.txt", "line 1", "no such file"},
            {"model =", "line 1", "no value"},
            {"min.confidence = 0.3\nmin.suggest = 0.6", "tempered.conf", "above"},
        };
        for (String[] c : cases) {
            TemperedException e = assertThrows(TemperedException.class, () -> read(c[0]), c[0]);
            assertTrue(e.getMessage().contains("tempered.conf"), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), c[0] + ": " + e.getMessage());
        }
    }
}
