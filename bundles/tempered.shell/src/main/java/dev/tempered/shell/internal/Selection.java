package dev.tempered.shell.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** What a host's selection holds: judged by file name, because a menu asks on every selection change. */
final class Selection {
    /** Extensions of the formats the decoders and the tag writer handle; content is checked when an action runs. */
    static final Set<String> AUDIO_EXTENSIONS = Set.of("mp3", "ogg", "oga", "opus", "flac", "wav", "wave", "aif",
            "aiff", "m4a", "mp4");

    private Selection() {
    }

    static boolean isAudioName(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return false;
        }
        String s = name.toString();
        int dot = s.lastIndexOf('.');
        return dot > 0 && AUDIO_EXTENSIONS.contains(s.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** A non-empty selection of audio files. */
    static boolean audioFiles(List<Path> selection) {
        return !selection.isEmpty() && selection.stream().allMatch(Selection::isAudioName);
    }

    static String name(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    /** Files as given, with folders replaced by the audio files under them in name order (for the console). */
    static List<Path> expand(List<Path> args) {
        List<Path> out = new ArrayList<>();
        for (Path p : args) {
            Path abs = p.toAbsolutePath().normalize();
            if (Files.isDirectory(abs)) {
                try (Stream<Path> s = Files.walk(abs)) {
                    s.filter(Files::isRegularFile).filter(Selection::isAudioName).sorted().forEach(out::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                out.add(abs);
            }
        }
        return out;
    }
}
