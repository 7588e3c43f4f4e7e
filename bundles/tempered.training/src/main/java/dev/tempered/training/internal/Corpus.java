package dev.tempered.training.internal;

import dev.tempered.api.library.LabelSource;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagWriter;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The labelled tracks under a folder: which files, their label and their album. */
final class Corpus {
    /** Extensions of the formats the decoders read. */
    static final Set<String> AUDIO = Set.of("mp3", "flac", "ogg", "oga", "opus", "wav", "aif", "aiff", "m4a", "mp4",
            "aac", "wma");

    /** A labelled track; {@code group} is its album folder relative to the data folder. */
    record Track(Path file, String relative, String label, String group) {
    }

    /** The tracks with a label, and what was left out. */
    record Scan(List<Track> tracks, Map<String, Integer> unmapped, List<Path> unlabelled, Map<Path, String> unreadable) {
    }

    private Corpus() {
    }

    static List<Path> audioFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root, Integer.MAX_VALUE, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile).filter(p -> AUDIO.contains(extension(p))).sorted().toList();
        }
    }

    /**
     * Labels every audio file under {@code root}.
     *
     * @param map names to labels (keys lower-cased); empty to take the names as they are
     */
    static Scan scan(Path root, LabelSource source, Map<String, String> map, TagWriter tags) throws IOException {
        List<Track> tracks = new ArrayList<>();
        Map<String, Integer> unmapped = new TreeMap<>();
        List<Path> unlabelled = new ArrayList<>();
        Map<Path, String> unreadable = new TreeMap<>();
        for (Path f : audioFiles(root)) {
            Path rel = root.relativize(f);
            String group = rel.getParent() == null ? "." : rel.getParent().toString().replace('\\', '/');
            String name;
            if (source == LabelSource.FOLDERS) {
                name = folderLabel(rel, map);
                if (name == null && rel.getNameCount() > 1 && !map.isEmpty()) {
                    unmapped.merge(rel.getName(0).toString(), 1, Integer::sum);
                    continue;
                }
            } else {
                Optional<String> g;
                try {
                    g = genreTag(f, tags);
                } catch (TagException e) {
                    unreadable.put(f, "cannot read its tags: " + e.getMessage());
                    continue;
                }
                name = g.orElse(null);
                if (name != null && !map.isEmpty()) {
                    String m = map.get(name.toLowerCase(Locale.ROOT));
                    if (m == null) {
                        unmapped.merge(name, 1, Integer::sum);
                        continue;
                    }
                    name = m;
                }
            }
            if (name == null || name.isBlank()) {
                unlabelled.add(f);
                continue;
            }
            tracks.add(new Track(f, rel.toString().replace('\\', '/'), name.strip(), group));
        }
        return new Scan(tracks, unmapped, unlabelled, unreadable);
    }

    /** Without a map the first folder under the root; with one, the nearest folder whose name it maps. */
    private static String folderLabel(Path rel, Map<String, String> map) {
        if (rel.getNameCount() < 2) {
            return null;
        }
        if (map.isEmpty()) {
            return rel.getName(0).toString();
        }
        for (int i = rel.getNameCount() - 2; i >= 0; i--) {
            String m = map.get(rel.getName(i).toString().toLowerCase(Locale.ROOT));
            if (m != null) {
                return m;
            }
        }
        return null;
    }

    private static Optional<String> genreTag(Path f, TagWriter tags) throws TagException {
        if (tags == null) {
            throw new TagException(f, "no tag reader is installed (bundle tempered.tagwriter)");
        }
        Map<String, String> t = tags.read(f);
        if (TagFields.genreWrittenByTempered(t)) {
            // Our own earlier answer is no ground truth.
            return Optional.empty();
        }
        return Optional.ofNullable(t.get(TagFields.GENRE)).map(String::strip).filter(s -> !s.isEmpty());
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
