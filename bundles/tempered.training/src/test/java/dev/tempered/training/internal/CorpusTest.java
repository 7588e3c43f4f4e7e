package dev.tempered.training.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tempered.api.library.LabelSource;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which tracks get which label, and what is reported as left out. */
class CorpusTest {
    @TempDir
    Path root;

    private Path file(String rel) throws Exception {
        Path f = root.resolve(rel);
        Files.createDirectories(f.getParent());
        return Files.writeString(f, rel);
    }

    @Test
    void foldersGiveTheFirstFolderOrWithAMapTheNearestMappedOne() throws Exception {
        file("Jazz/Kind of Blue/01.flac");
        file("Rock/Live/02.mp3");
        file("loose.ogg");
        file("Jazz/notes.txt");
        Corpus.Scan plain = Corpus.scan(root, LabelSource.FOLDERS, Map.of(), null);
        assertEquals(List.of("Jazz", "Rock"), plain.tracks().stream().map(Corpus.Track::label).toList());
        assertEquals(List.of("Jazz/Kind of Blue", "Rock/Live"), plain.tracks().stream().map(Corpus.Track::group)
                .toList());
        assertEquals(List.of(root.resolve("loose.ogg")), plain.unlabelled());

        Corpus.Scan mapped = Corpus.scan(root, LabelSource.FOLDERS, Map.of("kind of blue", "Modal"), null);
        assertEquals(List.of("Modal"), mapped.tracks().stream().map(Corpus.Track::label).toList());
        assertEquals(Map.of("Rock", 1), mapped.unmapped());
    }

    @Test
    void tagsGiveTheGenreButNeverOneTemperedWrote() throws Exception {
        Path mine = file("a/1.flac");
        Path ours = file("a/2.flac");
        Path none = file("a/3.flac");
        Path broken = file("a/4.flac");
        Map<Path, Map<String, String>> tags = Map.of(mine, Map.of("GENRE", " Bebop "), ours, Map.of("GENRE", "Jazz",
                "TEMPERED_DISTRIBUTION", "jazz=0.9", "TEMPERED_MODEL", "m@1 T=1", "TEMPERED_GENRE", "Jazz"), none,
                Map.of());
        TagWriter reader = (TagWriter) Proxy.newProxyInstance(TagWriter.class.getClassLoader(),
                new Class<?>[] {TagWriter.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("read")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Path f = (Path) args[0];
                    if (f.equals(broken)) {
                        throw new TagException(f, "truncated header");
                    }
                    return tags.get(f);
                });
        Corpus.Scan s = Corpus.scan(root, LabelSource.TAGS, Map.of(), reader);
        assertEquals(List.of("Bebop"), s.tracks().stream().map(Corpus.Track::label).toList());
        assertEquals(List.of(ours, none), s.unlabelled());
        assertEquals(List.of(broken), List.copyOf(s.unreadable().keySet()));
    }
}
