package dev.tempered.launcher.cli;

import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tempered tag}: analyse a collection and write calibrated genre tags safely, resumably. */
@Command(name = "tag", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = {"tempered tag [OPTIONS] PATH...", "       tempered tag --undo PATH..."},
        description = {"analyse a collection and write calibrated genre tags safely", "",
            "Scans the folders for audio (recognised by content, not by name), analyses every file the library",
            "index does not already know with the current model and temperature, and writes the genre where the",
            "calibrated confidence reaches the threshold; below it only Tempered's own fields are written, marked",
            "for review. A genre the file already has is kept (our suggestion goes into TEMPERED_GENRE, marked for",
            "review), and a genre someone changed since Tempered wrote it is never overwritten. Writes are atomic",
            "and verified. The index ($TEMPERED_HOME/library) makes runs resumable: a second run does nothing new,",
            "an interrupted one (Ctrl-C, or killed) continues where it stopped, and a new temperature",
            "re-calibrates from the stored logits without decoding again.", ""},
        footer = {"%nCtrl-C stops cleanly: files being decoded are finished and written whole, the others are left",
            "untouched; run the same command again to continue.",
            "Example: tempered tag --dry-run --report /tmp/report ~/Music"})
public final class TagCommand implements TemperedCommand {
    /** The choices of {@code --genre}, in the words the user types. */
    enum GenreChoice {
        KEEP("keep", TagPolicy.ExistingGenre.KEEP), REPLACE("replace", TagPolicy.ExistingGenre.REPLACE),
        APPEND("append", TagPolicy.ExistingGenre.APPEND), FILL_EMPTY("fill-empty", TagPolicy.ExistingGenre.FILL_EMPTY);

        final String word;
        final TagPolicy.ExistingGenre policy;

        GenreChoice(String word, TagPolicy.ExistingGenre policy) {
            this.word = word;
            this.policy = policy;
        }

        @Override
        public String toString() {
            return word;
        }
    }

    /** The choices of {@code --labels-from}. */
    enum LabelChoice {
        folders(LabelSource.FOLDERS), tags(LabelSource.TAGS);

        final LabelSource source;

        LabelChoice(LabelSource source) {
            this.source = source;
        }
    }

    @Option(names = {"-n", "--dry-run"}, description = "analyse and report, write no tags")
    boolean dryRun;

    @Option(names = "--min-confidence", paramLabel = "P", description = {"the apply threshold: write the genre only "
        + "at confidence >= P", "(default: min.confidence of the model's .cfg, else 0.5)"})
    Double minConfidence;

    @Option(names = "--min-suggest", paramLabel = "P", description = {"the suggest threshold: below it write nothing "
        + "at all; between it", "and --min-confidence our fields only, marked review (default 0)"})
    double minSuggest;

    @Option(names = "--genre", paramLabel = "POLICY", converter = GenreConverter.class, description = {
        "what happens to a genre the file already has:",
        "  fill-empty (default: kept; ours only into files without one)", "  keep (never touch the genre field)",
        "  append (add ours)", "  replace (overwrite; still never a genre someone changed since)"})
    GenreChoice genre;

    @Option(names = "--genre-map", paramLabel = "FILE", description = {"lines 'label = Genre' naming our labels in "
        + "your vocabulary", "(default: title case, hiphop = Hip-Hop)"})
    Path genreMap;

    @Option(names = "--keep-mtime", description = {"keep each file's modification time (default: a write gets a new",
        "one, so beets and sync tools notice it)"})
    boolean keepMtime;

    @Option(names = "--model", paramLabel = "ID", description = "use this installed model (default: the active genre model)")
    String model;

    @Option(names = "--report", paramLabel = "DIR", description = "write report.html, report.csv and report.json into DIR")
    Path report;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "decoding threads (default: one per core)")
    Integer jobs;

    @Option(names = "--labels-from", paramLabel = "SOURCE", description = {"folders or tags: take each file's true "
        + "genre from its folder", "names or its existing genre tag, to measure accuracy and calibration on your",
        "collection (see tempered calibrate)"})
    LabelChoice labelsFrom;

    @Option(names = "--labels-map", paramLabel = "FILE", description = "lines 'name = label' mapping your genre names onto the model's")
    Path labelMap;

    @Option(names = {"--reanalyse", "--reanalyze"}, description = "analyse every file again, whatever the index says")
    boolean reanalyse;

    @Option(names = "--undo", description = "restore the tags Tempered wrote under PATH to what they were")
    boolean undo;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "files and folders")
    List<Path> roots = new ArrayList<>();

    /** Accepts the words of {@link GenreChoice}. */
    static final class GenreConverter implements CommandLine.ITypeConverter<GenreChoice> {
        @Override
        public GenreChoice convert(String value) {
            for (GenreChoice c : GenreChoice.values()) {
                if (c.word.equals(value)) {
                    return c;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "must be keep, replace, append or fill-empty, not '" + value + "'");
        }
    }

    @Override
    public int run(CliContext context) throws Exception {
        double minConfidence = this.minConfidence == null ? Double.NaN
                : probability(this.minConfidence, "--min-confidence");
        double minSuggest = probability(this.minSuggest, "--min-suggest");
        if (jobs != null && jobs < 1) {
            throw new UsageException("--jobs needs a positive whole number, not '" + jobs + "'");
        }
        TagPolicy.ExistingGenre existing = genre == null ? TagPolicy.defaults().existingGenre() : genre.policy;
        GenreNames names = GenreNames.defaults();
        if (genreMap != null) {
            try {
                names = GenreNames.load(genreMap);
            } catch (java.io.IOException e) {
                throw new UsageException("--genre-map: " + (e instanceof java.nio.file.NoSuchFileException
                        ? genreMap + ": no such file" : e.getMessage()));
            }
        }
        Path report = this.report == null ? null : this.report.toAbsolutePath();
        int jobs = this.jobs == null ? 0 : this.jobs;
        LabelSource labels = labelsFrom == null ? LabelSource.NONE : labelsFrom.source;
        if (roots.isEmpty()) {
            throw new UsageException("no files or folders given");
        }
        for (Path r : roots) {
            if (!undo && !Files.exists(r)) {
                throw new UsageException(r + ": no such file or folder");
            }
        }
        CollectionTagger tagger = context.service(CollectionTagger.class, Duration.ofSeconds(30));
        if (undo) {
            return undo(tagger, roots, context);
        }
        if (!Double.isNaN(minConfidence) && minSuggest > minConfidence) {
            throw new UsageException("--min-suggest " + minSuggest + " is above --min-confidence " + minConfidence);
        }
        // NaN: no threshold given; the job takes the model's configured min.confidence, else the default.
        TagPolicy policy = new TagPolicy(minConfidence, TagPolicy.BelowThreshold.REVIEW, existing, keepMtime,
                minSuggest, names);
        TagJobRequest request = new TagJobRequest(roots, model, dryRun, policy, jobs, report, labels, labelMap,
                reanalyse);
        TagJobSummary s = runJob(tagger, request, context);
        printSummary(context.out(), s);
        return s.failed() == 0 && !s.cancelled() ? OK : SOME_FAILED;
    }

    /** Runs a job with progress on stderr; Ctrl-C or SIGTERM cancels it, and it returns once every file is whole. */
    static TagJobSummary runJob(CollectionTagger tagger, TagJobRequest request, CliContext context)
            throws Exception {
        Console console = new Console(context.err(), context.interactive());
        try (StopSignals signals = StopSignals.install(() -> {
            console.cancelled.set(true);
            context.err().println("\ntempered: stopping; finishing the files in flight (Ctrl-C again to force)");
        })) {
            return tagger.tag(request, console);
        } finally {
            console.clear();
        }
    }

    private static double probability(double p, String option) throws UsageException {
        if (!(p >= 0 && p <= 1)) {
            throw new UsageException(option + " must be in [0, 1]: " + p);
        }
        return p;
    }

    private static int undo(CollectionTagger tagger, List<Path> roots, CliContext context) throws Exception {
        List<TagResult> results = tagger.undo(roots, TagJobListener.NONE);
        for (Path r : roots) {
            Path abs = r.toAbsolutePath().normalize();
            // A folder that is gone may still name journaled files (moved back later, say); one that names
            // nothing is a mistyped path, not "nothing to undo".
            if (!Files.exists(r) && results.stream().noneMatch(t -> t.file().startsWith(abs))) {
                throw new UsageException(r + ": no such file or folder, and Tempered's journal has no write under it");
            }
        }
        if (results.isEmpty()) {
            context.out().println("Tempered has written nothing under " + roots + ": nothing to undo.");
            return OK;
        }
        int restored = 0;
        for (TagResult r : results) {
            context.out().println((r.written() ? "restored  " : "left alone ") + r.file()
                    + (r.written() ? "" : "  (" + r.message() + ")"));
            restored += r.written() ? 1 : 0;
        }
        context.out().println(restored + " of " + results.size() + " file(s) Tempered had written to were restored.");
        return restored == results.size() ? OK : SOME_FAILED;
    }

    /** The one-screen summary. */
    static void printSummary(PrintStream out, TagJobSummary s) {
        double wall = s.wallNanos() / 1e9;
        out.printf(Locale.ROOT, "%s%s with %s T=%.4f%n", s.cancelled() ? "Stopped early" : "Done",
                s.dryRun() ? " (dry run: no tags written)" : "", s.model(), s.temperature());
        out.printf(Locale.ROOT, "  files: %d found, %d analysed, %d re-calibrated, %d already up to date, %d failed%n",
                s.found(), s.analysed(), s.recalibrated(), s.unchanged(), s.failed());
        out.printf(Locale.ROOT, "  tags:  %d written, %d for review or skipped (tempered review list)%n", s.written(),
                s.review());
        if (s.analysed() > 0 && wall > 0) {
            out.printf(Locale.ROOT,
                    "  speed: %.1f tracks/min, %.1f x real time (%.1f min of audio decoded and analysed in %.1f s)%n",
                    s.analysed() * 60 / wall, s.audioSeconds() / wall, s.audioSeconds() / 60, wall);
            Map<String, Long> st = s.stageNanos();
            out.printf(Locale.ROOT, "  time per stage (summed over threads): decode %.1f s, features %.1f s, "
                    + "inference %.2f s, write %.2f s, index %.2f s%n", sec(st, "decode"), sec(st, "features"),
                    sec(st, "inference"), sec(st, "write"), sec(st, "index"));
        }
        if (!s.genres().isEmpty()) {
            StringBuilder sb = new StringBuilder("  genres:");
            s.genres().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                    .forEach(e -> sb.append(' ').append(e.getKey()).append(' ').append(e.getValue()));
            out.println(sb);
        }
        if (!s.evaluation().isEmpty()) {
            StringBuilder sb = new StringBuilder("  against your labels:");
            s.evaluation().forEach((k, v) -> sb.append(' ').append(k).append(' ').append(k.equals("files")
                    ? String.valueOf(v.intValue()) : String.format(Locale.ROOT, "%.4f", v)));
            out.println(sb);
        }
        if (!s.unmappedLabels().isEmpty()) {
            out.println("  labels not mapped onto the model's genres (use --labels-map): " + s.unmappedLabels());
        }
        int shown = 0;
        for (Map.Entry<Path, String> f : s.failures().entrySet()) {
            if (shown++ == 5) {
                out.println("  ... and " + (s.failures().size() - 5) + " more failures (see the report)");
                break;
            }
            out.println("  failed: " + f.getKey() + ": " + f.getValue());
        }
        for (int i = 0; i < Math.min(3, s.warnings().size()); i++) {
            out.println("  skipped: " + s.warnings().get(i));
        }
        if (s.warnings().size() > 3) {
            out.println("  ... and " + (s.warnings().size() - 3) + " more skipped (see the report)");
        }
        if (!s.reports().isEmpty()) {
            out.println("  report: " + s.reports().get(0));
        }
        out.println("  index:  " + s.index());
        if (s.cancelled()) {
            out.println("  Run the same command again to continue where it stopped.");
        }
    }

    private static double sec(Map<String, Long> stages, String k) {
        return stages.getOrDefault(k, 0L) / 1e9;
    }

    /** Progress on stderr: a redrawn bar on a terminal, a plain line every ten seconds otherwise. */
    static final class Console implements TagJobListener {
        private static final long PLAIN_EVERY_NANOS = 10_000_000_000L;
        final AtomicBoolean cancelled = new AtomicBoolean();
        private final PrintStream err;
        private final boolean tty;
        private long lastPlain;
        private boolean drawn;
        private TagJobProgress.Phase lastPhase;

        Console(PrintStream err, boolean tty) {
            this.err = err;
            this.tty = tty;
        }

        @Override
        public boolean isCancelled() {
            return cancelled.get();
        }

        @Override
        public synchronized void progress(TagJobProgress p) {
            String line = line(p);
            if (tty) {
                err.print("\r" + line + "\033[K");
                drawn = true;
            } else {
                long now = System.nanoTime();
                if (p.phase() != lastPhase || now - lastPlain >= PLAIN_EVERY_NANOS) {
                    err.println(line);
                    lastPlain = now;
                }
            }
            lastPhase = p.phase();
            err.flush();
        }

        synchronized void clear() {
            if (drawn) {
                err.print("\r\033[K");
                err.flush();
                drawn = false;
            }
        }

        static String line(TagJobProgress p) {
            return switch (p.phase()) {
                case SCANNING -> p.found() == 0 ? "scanning for audio files..."
                        : "scanning: " + p.found() + " audio files found so far";
                case REPORTING -> "writing the reports";
                case DONE -> "done";
                case ANALYSING -> {
                    int width = 24;
                    int filled = p.toAnalyse() == 0 ? width : (int) (width * (long) p.done() / p.toAnalyse());
                    String eta = p.etaSeconds() < 0 ? "--" : duration(p.etaSeconds());
                    yield String.format(Locale.ROOT, "[%s%s] %d/%d  %.1f tracks/min  %.1fx real time  ETA %s%s",
                            "#".repeat(filled), ".".repeat(width - filled), p.done(), p.toAnalyse(),
                            p.filesPerMinute(), p.realTimeFactor(), eta,
                            p.failed() > 0 ? "  " + p.failed() + " failed" : "");
                }
            };
        }

        static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s % 3600 / 60)
                    : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
    }
}
