package dev.tempered.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short clips of Debian's game music in several formats, made by ffmpeg, and the repository's model package. */
final class TestCorpus {
    /** Debian music file, package, format to make, start second. */
    private record Source(String file, String pkg, String extension, String codec, int from) {
    }

    private static final List<Source> SOURCES = List.of(
            new Source("/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg", "wesnoth-1.16-music", "ogg",
                    "libvorbis", 20),
            new Source("/usr/share/games/asc/music/frontiers.mp3", "asc-music", "mp3", "libmp3lame", 30),
            new Source("/usr/share/games/singularity/music/Aberrations.ogg", "singularity-music", "flac", "flac", 10),
            new Source("/usr/share/games/asc/music/machine_wars.mp3", "asc-music", "wav", "pcm_s16le", 40),
            new Source("/usr/share/games/singularity/music/A New Journey.ogg", "singularity-music", "ogg",
                    "libvorbis", 5),
            new Source("/usr/share/games/wesnoth/1.16/data/core/music/casualties_of_war.ogg", "wesnoth-1.16-music",
                    "mp3", "libmp3lame", 15));

    private TestCorpus() {
    }

    /** {@code count} clips of {@code seconds} (at most six sources, cycled with other start times) in {@code dir}. */
    static List<Path> clips(Path dir, int count, int seconds) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Source s = SOURCES.get(i % SOURCES.size());
            Path src = Path.of(s.file());
            if (!Files.isRegularFile(src)) {
                throw new IllegalStateException(src + " is missing: install the Debian package " + s.pkg()
                        + " (scripts/setup-debian.sh --test)");
            }
            int from = s.from() + seconds * (i / SOURCES.size());
            Path clip = dir.resolve(String.format("clip%02d.%s", i, s.extension()));
            if (!Files.exists(clip)) {
                run("ffmpeg", "-v", "error", "-y", "-ss", Integer.toString(from), "-t", Integer.toString(seconds),
                        "-i", src.toString(), "-c:a", s.codec(), clip.toString());
            }
            out.add(clip);
        }
        return out;
    }

    /** A file that claims to be an MP3 and holds no audio. */
    static Path corrupt(Path dir) throws IOException {
        Path bad = dir.resolve("broken.mp3");
        byte[] junk = new byte[40_000];
        new java.util.Random(17).nextBytes(junk);
        Files.write(bad, junk);
        return bad;
    }

    static Path modelPackage() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("models").resolve("choi-gtzan");
            if (Files.isRegularFile(p.resolve("model.json"))) {
                return p;
            }
        }
        throw new IllegalStateException("models/choi-gtzan is committed to the repository: not found above "
                + Path.of("").toAbsolutePath());
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
