package dev.tempered.launcher.cli;

import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.TagPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code tempered demo}: copies a small library of real music from Debian's free game-music packages into a
 * temporary folder, tags the copy with the default model and shows the summary and the HTML report.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"tag a demo library of real music with the default model and show the report", "",
            "Copies about a dozen tracks of free music from Debian's game-music packages (wesnoth-1.16-music,",
            "asc-music, singularity-music, warzone2100-music) into a temporary folder, tags the copies with the",
            "default model (your own files are never touched), and prints the summary and the path of the HTML",
            "report. The tracks' existing genre tags serve as labels, so the report also shows accuracy, ECE",
            "and the reliability diagram on them. As root it installs missing packages with apt-get; otherwise",
            "it tells you the command to run."})
public final class DemoCommand implements TemperedCommand {
    /** Debian packages of freely licensed music, with the folder name each gets in the demo library. */
    static final Map<String, String> CORPUS = corpus();
    /** Tracks per package: enough for a report with some spread, few enough to finish in a couple of minutes. */
    static final int PER_PACKAGE = 3;

    private static Map<String, String> corpus() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("wesnoth-1.16-music", "wesnoth (orchestral, Vorbis)");
        m.put("asc-music", "asc (MP3)");
        m.put("singularity-music", "singularity (Vorbis)");
        m.put("warzone2100-music", "warzone2100 (Opus)");
        return m;
    }

    @Override
    public int run(CliContext context) throws Exception {
        Map<String, List<Path>> tracks = findCorpus();
        if (tracks.isEmpty()) {
            if (!isRoot()) {
                context.err().println("""
                        tempered demo: the demo needs free music from Debian's archive, which is not installed.
                        Install it (about 600 MB) with:
                          sudo apt-get install -y %s
                        then run tempered demo again; or run tempered demo as root and it installs them itself."""
                        .formatted(String.join(" ", CORPUS.keySet())));
                return USAGE;
            }
            context.err().println("tempered demo: installing the music packages " + CORPUS.keySet()
                    + " with apt-get (once; about 600 MB)...");
            if (!aptInstall(context)) {
                return USAGE;
            }
            tracks = findCorpus();
            if (tracks.isEmpty()) {
                context.err().println("tempered demo: the packages were installed but hold no music files");
                return USAGE;
            }
        }
        Path demo = Files.createTempDirectory("tempered-demo-");
        Path libDir = demo.resolve("library");
        int copied = 0;
        for (Map.Entry<String, List<Path>> e : tracks.entrySet()) {
            Path dir = libDir.resolve(CORPUS.get(e.getKey()));
            Files.createDirectories(dir);
            for (Path f : pick(e.getValue(), PER_PACKAGE)) {
                Files.copy(f, dir.resolve(f.getFileName().toString()));
                copied++;
            }
        }
        context.err().printf(Locale.ROOT, "tempered demo: copied %d tracks of free music to %s%n", copied, libDir);
        CollectionTagger tagger = context.service(CollectionTagger.class, Duration.ofSeconds(30));
        Path report = demo.resolve("report");
        TagJobSummary s = TagJobConsole.run(tagger, new TagJobRequest(List.of(libDir), null, false,
                // wesnoth's tracks carry a person's genre tag ("Romantic Classical"): the report can show how
                // well calibrated the model is on them, before their genre is replaced.
                TagPolicy.defaults(), 0, report, LabelSource.TAGS, null, false), context);
        TagJobConsole.printSummary(context.out(), s);
        context.out().println();
        context.out().println("Open the report:   " + report.resolve("report.html").toUri());
        context.out().println("Tagged copies in:  " + libDir);
        // The copies stay on purpose: the report links to them and they are what the reader will want to play.
        context.out().println("The copies and the report stay in " + demo + " so you can open them; remove them"
                + " with: rm -r " + demo);
        context.out().println("Next: tempered analyze FILE, tempered tag --dry-run --report DIR ~/Music");
        return s.failed() == 0 && !s.cancelled() ? OK : SOME_FAILED;
    }

    /** Every audio file of each installed corpus package, in the package's order. */
    static Map<String, List<Path>> findCorpus() {
        Map<String, List<Path>> out = new LinkedHashMap<>();
        for (String pkg : CORPUS.keySet()) {
            List<Path> files = new ArrayList<>();
            try {
                Process p = new ProcessBuilder("dpkg", "-L", pkg).redirectErrorStream(true).start();
                String text;
                try (InputStream in = p.getInputStream()) {
                    text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    for (String line : text.split("\n")) {
                        String l = line.trim().toLowerCase(Locale.ROOT);
                        if ((l.endsWith(".ogg") || l.endsWith(".mp3") || l.endsWith(".opus") || l.endsWith(".flac"))
                                && Files.isRegularFile(Path.of(line.trim()))) {
                            files.add(Path.of(line.trim()));
                        }
                    }
                }
            } catch (IOException e) {
                // No dpkg (not Debian): no corpus.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!files.isEmpty()) {
                out.put(pkg, files);
            }
        }
        return out;
    }

    /** {@code n} files spread evenly over the list, so the demo is not all one album's opening. */
    static List<Path> pick(List<Path> files, int n) {
        if (files.size() <= n) {
            return files;
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(files.get((int) ((i + 0.5) * files.size() / n)));
        }
        return out;
    }

    private static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && uid.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean aptInstall(CliContext context) throws IOException, InterruptedException {
        List<String> install = new ArrayList<>(List.of("apt-get", "install", "-y", "--no-install-recommends"));
        install.addAll(CORPUS.keySet());
        if (exec(install, context) == 0) {
            return true;
        }
        // A fresh machine has no package lists yet.
        if (exec(List.of("apt-get", "update"), context) != 0 || exec(install, context) != 0) {
            context.err().println("tempered demo: apt-get failed; install the packages by hand: apt-get install -y "
                    + String.join(" ", CORPUS.keySet()));
            return false;
        }
        return true;
    }

    private static int exec(List<String> command, CliContext context) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(context.err());
        }
        return p.waitFor();
    }
}
