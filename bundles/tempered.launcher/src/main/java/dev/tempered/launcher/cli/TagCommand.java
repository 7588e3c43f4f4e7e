package dev.tempered.launcher.cli;

import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.library.TaggingDefaults;
import dev.tempered.api.library.TaggingSettings;
import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tempered tag}: analyse a collection and write calibrated genre tags safely, resumably. */
@Command(name = "tag", mixinStandardHelpOptions = true, sortOptions = false,
        customSynopsis = {"tempered tag [OPTIONS] PATH...", "       tempered tag --undo PATH...",
            "       tempered tag --apply TABLE [OPTIONS] [PATH...]"},
        description = {"analyse a collection and write calibrated genre tags safely", "",
            "Scans the folders for audio (recognised by content, not by name), analyses every file the library",
            "index does not already know with the current model and temperature, and writes the genre where the",
            "calibrated confidence reaches the threshold; below it only Tempered's own fields are written, marked",
            "for review. A genre the file already has is kept (our suggestion goes into TEMPERED_GENRE, marked for",
            "review), and a genre someone changed since Tempered wrote it is never overwritten. Writes are atomic",
            "and verified. The index ($TEMPERED_HOME/library) makes runs resumable: a second run does nothing new,",
            "an interrupted one (Ctrl-C, or killed) continues where it stopped, and a new temperature",
            "re-calibrates from the stored logits without decoding again.", "",
            "Defaults for the thresholds, --genre, --genre-map, --keep-mtime and --model can be set once in",
            "$TEMPERED_HOME/tempered.conf (lines 'key = value', see the README); an option given here wins.", ""},
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
        + "at confidence >= P", "(default: min.confidence of tempered.conf, else of the model's .cfg, else 0.5)"})
    Double minConfidence;

    @Option(names = "--min-suggest", paramLabel = "P", description = {"the suggest threshold: below it write nothing "
        + "at all; between it", "and --min-confidence our fields only, marked review (default: tempered.conf, else 0)"})
    Double minSuggest;

    @Option(names = "--genre", paramLabel = "POLICY", converter = GenreConverter.class, description = {
        "what happens to a genre the file already has:",
        "  fill-empty (default: kept; ours only into files without one)", "  keep (never touch the genre field)",
        "  append (add ours)", "  replace (overwrite; still never a genre someone changed since)"})
    GenreChoice genre;

    @Option(names = "--genre-map", paramLabel = "FILE", description = {"lines 'label = Genre' naming our labels in "
        + "your vocabulary", "(default: title case, hiphop = Hip-Hop)"})
    Path genreMap;

    @Option(names = "--keep-mtime", negatable = true, description = {"keep each file's modification time; "
        + "--no-keep-mtime: a write gets a new", "one, so beets and sync tools notice it (default: mtime of "
        + "tempered.conf, else new)"})
    Boolean keepMtime;

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

    @Option(names = "--apply", paramLabel = "TABLE", description = {"write the tags of a `tempered spark` table (its",
        "folder) instead of analysing: same policy, writer, index and reports; only files whose content",
        "hash still matches the table's are written; PATH... limits it to files under them (default all)"})
    Path apply;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "files and folders")
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
        Double minConfidence = this.minConfidence == null ? null
                : probability(this.minConfidence, "--min-confidence");
        Double minSuggest = this.minSuggest == null ? null : probability(this.minSuggest, "--min-suggest");
        if (jobs != null && jobs < 1) {
            throw new UsageException("--jobs needs a positive whole number, not '" + jobs + "'");
        }
        GenreNames names = null;
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
        if (roots.isEmpty() && apply == null) {
            throw new UsageException("no files or folders given");
        }
        if (apply != null && (undo || labelsFrom != null || reanalyse || model != null)) {
            throw new UsageException("--apply takes the table's model and predictions: it goes without --undo, "
                    + "--labels-from, --reanalyse and --model");
        }
        if (apply != null && !Files.exists(apply)) {
            throw new UsageException(apply + ": no such table folder");
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
        // The librarian's defaults ($TEMPERED_HOME/tempered.conf) under this run's options; a threshold given by
        // neither stays NaN, and the job takes the model's configured min.confidence, else the default.
        TaggingDefaults defaults;
        try {
            defaults = context.service(TaggingSettings.class, Duration.ofSeconds(30)).defaults();
        } catch (dev.tempered.api.TemperedException e) {
            throw new UsageException(e.getMessage());
        }
        TagPolicy policy;
        try {
            policy = defaults.policy(minConfidence, minSuggest, genre == null ? null : genre.policy, names, keepMtime);
        } catch (IllegalArgumentException e) {
            throw new UsageException((defaults.source() == null ? "" : "with " + defaults.source() + ": ")
                    + e.getMessage().replace("suggest threshold", "suggest threshold (--min-suggest)")
                    .replace("apply threshold", "apply threshold (--min-confidence)"));
        }
        List<Path> scope = roots.isEmpty() ? List.of(Path.of("/")) : roots;
        TagJobRequest request = new TagJobRequest(scope, defaults.model(model), dryRun, policy, jobs, report, labels,
                labelMap, reanalyse);
        TagJobSummary s;
        if (apply != null) {
            try {
                s = TagJobConsole.run(console -> tagger.apply(apply, request, console), context);
            } catch (dev.tempered.api.TemperedException e) {
                throw new UsageException(e.getMessage());
            }
        } else {
            s = TagJobConsole.run(tagger, request, context);
        }
        TagJobConsole.printSummary(context.out(), s);
        // Nothing found where files were skipped (not audio, unreadable) is a failure a script should notice.
        boolean nothingFound = s.found() == 0 && !s.warnings().isEmpty();
        return s.failed() == 0 && !s.cancelled() && !nothingFound ? OK : SOME_FAILED;
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
}
