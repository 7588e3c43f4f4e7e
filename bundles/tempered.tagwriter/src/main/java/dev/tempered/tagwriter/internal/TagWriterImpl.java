package dev.tempered.tagwriter.internal;

import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagFields;
import dev.tempered.api.tag.TagJournal;
import dev.tempered.api.tag.TagPlan;
import dev.tempered.api.tag.TagPlan.Decision;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.api.tag.TagResult;
import dev.tempered.api.tag.TagWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tag writer: plans from the policy, writes through {@link SafeReplace}, journals for undo. */
@Component(service = {TagWriter.class, TagJournal.class}, configurationPid = TagWriterImpl.PID)
@Designate(ocd = TagWriterConfiguration.class)
public final class TagWriterImpl implements TagWriter, TagJournal {
    public static final String PID = "dev.tempered.tagwriter";
    private static final Logger LOG = LoggerFactory.getLogger(TagWriterImpl.class);
    private static final int TOP = 5;
    private static final int MAX_REMEMBERED_PLANS = 10_000;

    private final Map<Format, FormatHandler> handlers = new EnumMap<>(Format.class);
    private final SafeReplace replace;
    private final ReentrantLock[] stripes = IntStream.range(0, 64).mapToObj(i -> new ReentrantLock())
            .toArray(ReentrantLock[]::new);
    /** What apply needs that the plan record does not carry. */
    private record Planned(FileState state, boolean keepModified) {
    }

    /** The file's state when each plan was made, so apply can tell whether it changed in between. */
    private final Map<TagPlan, Planned> planned = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<TagPlan, Planned> eldest) {
                    return size() > MAX_REMEMBERED_PLANS;
                }
            });
    private volatile Journal journal;
    private volatile Originals originals;
    private final Path home;

    @Activate
    public TagWriterImpl(BundleContext context, TagWriterConfiguration config) {
        this(homeOf(context.getProperty(dev.tempered.api.TemperedHome.PROPERTY)), config.journalDirectory(), config.cleanLeftovers(),
                SafeReplace.NONE);
    }

    /** For tests and non-OSGi use. */
    TagWriterImpl(Path journalDirectory, boolean cleanLeftovers, SafeReplace.Hook hook) {
        this(null, journalDirectory.toString(), cleanLeftovers, hook);
    }

    /** Without a framework (other modules' tests, tools): the product's writer with its journal in that folder. */
    public static TagWriterImpl standalone(Path journalDirectory) {
        return new TagWriterImpl(journalDirectory, true, SafeReplace.NONE);
    }

    private TagWriterImpl(Path home, String journalDirectory, boolean cleanLeftovers, SafeReplace.Hook hook) {
        for (Format f : Format.values()) {
            handlers.put(f, f == Format.OPUS || f == Format.OGG_VORBIS ? new OggCommentHandler(f)
                    : new JaudiotaggerHandler(f));
        }
        this.home = home;
        this.replace = new SafeReplace(hook, cleanLeftovers);
        this.journal = new Journal(journalDir(journalDirectory));
        this.originals = new Originals(journalDir(journalDirectory));
    }

    @Modified
    void modified(TagWriterConfiguration config) {
        journal = new Journal(journalDir(config.journalDirectory()));
        originals = new Originals(journalDir(config.journalDirectory()));
        replace.setCleanLeftovers(config.cleanLeftovers());
        LOG.info("Tag journal at {}", journal.file());
    }

    private Path journalDir(String configured) {
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        return (home != null ? home : homeOf(null)).resolve("journal");
    }

    private static Path homeOf(String property) {
        return dev.tempered.api.TemperedHome.resolve(property);
    }

    Path journalFile() {
        return journal.file();
    }

    /** Removes leftovers of interrupted writes in a directory; done automatically before each write there. */
    public List<Path> cleanLeftovers(Path dir) {
        return replace.cleanLeftovers(dir);
    }

    @Override
    public boolean supports(Path file) {
        try {
            return Format.detect(file).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public TagPlan plan(Path file, GenrePrediction prediction, TagPolicy policy) throws TagException {
        return plan(file, prediction, policy, true);
    }

    @Override
    public TagPlan preview(Path file, GenrePrediction prediction, TagPolicy policy) throws TagException {
        return plan(file, prediction, policy, false);
    }

    /** @param forApply whether the plan may be applied: only then is the file fingerprinted (hashed) and kept. */
    private TagPlan plan(Path file, GenrePrediction prediction, TagPolicy policy, boolean forApply)
            throws TagException {
        Path real = real(file);
        FormatHandler h = handler(real);
        FileState state;
        TagValues current;
        try {
            state = forApply ? FileState.of(real) : null;
            current = h.read(real);
        } catch (IOException e) {
            throw new TagException(file, "could not read the tags: " + SafeReplace.describe(e), e);
        }
        String nonFinite = nonFinite(prediction);
        if (nonFinite != null) {
            throw new TagException(file, "refused: the prediction holds a non-finite number (" + nonFinite
                    + "); nothing is written");
        }
        String conf = String.format(Locale.ROOT, "%.4f", prediction.confidence());
        String min = String.format(Locale.ROOT, "%.4f", policy.threshold());
        String suggestion = policy.genreNames().name(prediction.topLabel());
        if (TagFields.REJECTED.equals(current.fields().get(TagFields.STATUS))) {
            return remember(new TagPlan(real, Decision.SKIP, List.of(), Map.of(), current.asApiMap(),
                    "a person rejected Tempered's suggestion for this file: left alone"), state, policy);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(TagFields.CONFIDENCE, conf);
        fields.put(TagFields.DISTRIBUTION, distribution(prediction));
        fields.put(TagFields.MODEL, prediction.attribution());
        fields.put(TagFields.SUGGESTION, suggestion);
        List<String> genres = List.of();
        Decision decision = policy.decide(prediction.confidence());
        String reason;
        switch (decision) {
            case WRITE -> {
                TagPolicy.GenreOutcome g = policy.genre(current.genres(), prediction.topLabel(),
                        editedSinceOurWrite(real, current));
                genres = g.genres();
                reason = "confidence " + conf + " >= " + min + ": " + g.reason();
                if (g.conflict()) {
                    // Confident, but the librarian's genre stays: a person decides (tempered review).
                    decision = Decision.REVIEW;
                    fields.put(TagFields.STATUS, TagFields.REVIEW);
                } else if (current.fields().containsKey(TagFields.STATUS)) {
                    fields.put(TagFields.STATUS, ""); // a confident result clears an earlier review mark
                }
            }
            case REVIEW -> {
                fields.put(TagFields.STATUS, TagFields.REVIEW);
                reason = "confidence " + conf + " < " + min + ": suggestion " + suggestion
                        + " marked for review, genre left alone";
            }
            default -> {
                fields.clear();
                reason = "confidence " + conf + " < " + min + (policy.suggestConfidence() > 0
                        ? String.format(Locale.ROOT, " and < %.4f (suggest threshold)", policy.suggestConfidence())
                        : "") + ": skipped";
            }
        }
        return remember(new TagPlan(real, decision, genres, fields, current.asApiMap(), reason), state, policy);
    }

    private TagPlan remember(TagPlan plan, FileState state, TagPolicy policy) {
        if (state != null) {
            planned.put(plan, new Planned(state, policy.preserveModified()));
        }
        return plan;
    }

    /** The first non-finite number of a prediction, described, or null when every number is finite. */
    private static String nonFinite(GenrePrediction p) {
        if (!Double.isFinite(p.confidence())) {
            return "confidence " + p.confidence();
        }
        if (!Double.isFinite(p.temperature())) {
            return "temperature " + p.temperature();
        }
        double[] prob = p.probabilities();
        for (int i = 0; i < prob.length; i++) {
            if (!Double.isFinite(prob[i])) {
                return "probability of " + p.labels().get(i) + " " + prob[i];
            }
        }
        return null;
    }

    /**
     * Whether the file's genre differs from what Tempered's last write to it left there: then a person (or another
     * tool) changed it, and it is theirs.
     */
    private boolean editedSinceOurWrite(Path real, TagValues current) throws TagException {
        Optional<Entry> last;
        try {
            last = journal.last(real);
        } catch (IOException e) {
            throw new TagException(real, "could not read the journal: " + SafeReplace.describe(e), e);
        }
        if (last.isEmpty()) {
            return false;
        }
        List<String> ours = last.get().after().getOrDefault(TagValues.GENRE, List.of());
        return !ours.equals(current.genres());
    }

    @Override
    public TagPlan planEdit(Path file, List<String> genres, Map<String, String> fields, String reason,
            boolean preserveModified) throws TagException {
        Path real = real(file);
        FormatHandler h = handler(real);
        try {
            FileState state = FileState.of(real);
            TagValues current = h.read(real);
            TagPlan plan = new TagPlan(real, Decision.WRITE, genres, fields, current.asApiMap(), reason);
            planned.put(plan, new Planned(state, preserveModified));
            return plan;
        } catch (IOException e) {
            throw new TagException(file, "could not read the tags: " + SafeReplace.describe(e), e);
        }
    }

    private static String distribution(GenrePrediction p) {
        double[] prob = p.probabilities();
        return IntStream.range(0, prob.length).boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -prob[i]).thenComparing(i -> p.labels().get(i)))
                .limit(TOP)
                .map(i -> p.labels().get(i) + "=" + String.format(Locale.ROOT, "%.4f", prob[i]))
                .collect(Collectors.joining(";"));
    }

    @Override
    public TagResult apply(TagPlan plan) throws TagException {
        if (plan.decision() == Decision.SKIP) {
            return new TagResult(plan.file(), plan, false, "skipped: " + plan.reason());
        }
        Path real = real(plan.file());
        String nonFinite = TagNumbers.problem(plan.fields());
        if (nonFinite != null) {
            throw new TagException(real, "refused: " + nonFinite + "; nothing is written");
        }
        FormatHandler h = handler(real);
        TagChange change = new TagChange(plan.genres().isEmpty() ? null : plan.genres(), plan.fields());
        ReentrantLock lock = lockFor(real);
        lock.lock();
        try {
            TagValues now;
            try {
                now = h.read(real);
            } catch (IOException e) {
                throw new TagException(real, "could not read the tags: " + SafeReplace.describe(e), e);
            }
            if (!now.asApiMap().equals(plan.previous())) {
                throw new TagException(real, "file changed since it was planned (its tags differ); plan it again");
            }
            if (change.expectedAfter(now).asApiMap().equals(now.asApiMap())) {
                return new TagResult(real, plan, false, "already up to date");
            }
            Planned p = planned.remove(plan);
            // A plan made elsewhere (or forgotten) keeps the modification time, as the default policy does.
            replace.replace(real, p == null ? null : p.state(),
                    v -> v.asApiMap().equals(plan.previous()) ? null
                            : "file changed since it was planned (its tags differ); plan it again",
                    h, change, p == null || p.keepModified(), this::journalWrite);
            LOG.debug("{}: {}", real, plan.reason());
            return new TagResult(real, plan, true, (plan.decision() == Decision.REVIEW ? "marked for review: "
                    : "written: ") + plan.reason());
        } finally {
            lock.unlock();
        }
    }

    private void journalWrite(Path file, Path temp, TagValues before, TagValues after) throws IOException {
        Optional<Entry> last = journal.last(file);
        try {
            Optional<Format> format = Format.detect(file);
            if (last.isEmpty() || last.get().undo()) {
                // The first write since the file was ours to leave: keep the bytes around its audio for undo.
                if (format.isPresent()) {
                    originals.keep(file, format.get(), temp);
                }
            } else {
                originals.written(file, temp);
            }
        } catch (IOException e) {
            // Undo then restores values instead of bytes; the write itself is not at risk.
            LOG.warn("{}: could not keep the original bytes for undo: {}", file, SafeReplace.describe(e));
            try {
                originals.forget(file);
            } catch (IOException ignored) {
                // a stale record is never used: restore demands the file be exactly what our last write left
            }
        }
        journal.append(new Entry(Instant.now(), file, false, before.asJournalMap(), after.asJournalMap()));
    }

    @Override
    public Map<String, String> read(Path file) throws TagException {
        Path real = real(file);
        try {
            return handler(real).read(real).asApiMap();
        } catch (IOException e) {
            throw new TagException(file, "could not read the tags: " + SafeReplace.describe(e), e);
        }
    }

    // ---- journal

    @Override
    public List<Entry> entries(Instant since) throws TagException {
        try {
            return journal.read(since);
        } catch (IOException e) {
            throw new TagException(journal.file(), "could not read the journal: " + SafeReplace.describe(e), e);
        }
    }

    @Override
    public TagResult undo(Path file) throws TagException {
        Path real = real(file);
        return undo(real, journalOf(real), Instant.EPOCH);
    }

    /**
     * The journal's entries of a file. The journal keeps paths as text: a name that is not valid UTF-8 comes back
     * as its U+FFFD string, so such a file is also looked up under that.
     */
    private static List<Entry> entries(Map<Path, List<Entry>> byFile, Path real, Path given) {
        List<Entry> e = byFile.get(real);
        if (e == null) {
            e = byFile.get(given);
        }
        if (e == null) {
            try {
                e = byFile.get(Path.of(real.toString()));
            } catch (RuntimeException ignored) {
                e = null;
            }
        }
        return e == null ? List.of() : e;
    }

    private List<Entry> journalOf(Path real) throws TagException {
        try {
            return entries(journal.byFile(), real, real);
        } catch (IOException e) {
            throw new TagException(journal.file(), "could not read the journal: " + SafeReplace.describe(e), e);
        }
    }

    @Override
    public List<TagResult> undoSince(Instant since) {
        Map<Path, List<Entry>> byFile;
        try {
            byFile = journal.byFile();
        } catch (IOException e) {
            LOG.error("Could not read the journal {}", journal.file(), e);
            return new ArrayList<>();
        }
        List<Path> files = new ArrayList<>();
        byFile.forEach((f, es) -> {
            if (es.stream().anyMatch(e -> !e.undo() && !e.time().isBefore(since))) {
                files.add(f);
            }
        });
        return undo(byFile, files, since, () -> false);
    }

    /** The journal is read once for the whole batch (20,000 files: one parse, not 20,000). */
    @Override
    public List<TagResult> undo(java.util.Collection<Path> files, java.util.function.BooleanSupplier cancelled) {
        try {
            return undo(journal.byFile(), files, Instant.EPOCH, cancelled);
        } catch (IOException e) {
            String why = "could not read the journal " + journal.file() + ": " + SafeReplace.describe(e);
            return files.stream().map(f -> new TagResult(f, null, false, why)).toList();
        }
    }

    private List<TagResult> undo(Map<Path, List<Entry>> byFile, java.util.Collection<Path> files, Instant since,
            java.util.function.BooleanSupplier cancelled) {
        List<TagResult> out = new ArrayList<>();
        for (Path f : files) {
            if (cancelled.getAsBoolean()) {
                break;
            }
            try {
                // Journaled paths are real paths; a file given by another name is found under its real one, and a
                // deleted one is reported as such.
                Path real = real(f);
                out.add(undo(real, entries(byFile, real, f), since));
            } catch (TagException | RuntimeException e) {
                String m = e.getMessage() == null ? e.toString() : e.getMessage();
                String prefix = f + ": ";
                out.add(new TagResult(f, null, false, m.startsWith(prefix) ? m.substring(prefix.length()) : m));
            }
        }
        try {
            // What was undone is superseded: the journal keeps only what a later undo or run can use.
            journal.compact(Instant.EPOCH);
        } catch (IOException e) {
            LOG.warn("Could not compact the journal {}: {}", journal.file(), SafeReplace.describe(e));
        }
        return out;
    }

    /** Rewrites the journal without superseded entries; writes before {@code mergeBefore} are merged per file. */
    public int compactJournal(Instant mergeBefore) throws TagException {
        try {
            return journal.compact(mergeBefore);
        } catch (IOException e) {
            throw new TagException(journal.file(), "could not compact the journal: " + SafeReplace.describe(e), e);
        }
    }

    private TagResult undo(Path file, List<Entry> all, Instant since) throws TagException {
        int lastUndo = -1;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).undo()) {
                lastUndo = i;
            }
        }
        List<Entry> pending = all.subList(lastUndo + 1, all.size()).stream()
                .filter(e -> !e.time().isBefore(since)).toList();
        if (pending.isEmpty()) {
            TagPlan none = new TagPlan(file, Decision.SKIP, List.of(), Map.of(), Map.of(), "nothing to undo");
            return new TagResult(file, none, false, "nothing to undo");
        }
        Map<String, List<String>> target = pending.get(0).before();
        Map<String, List<String>> ours = all.get(all.size() - 1).after();
        List<String> genres = target.getOrDefault(TagValues.GENRE, List.of());
        Map<String, String> fields = new LinkedHashMap<>();
        for (String f : TagValues.OUR_FIELDS) {
            List<String> v = target.get(f);
            fields.put(f, v == null || v.isEmpty() ? "" : v.get(0));
        }
        Map<String, String> previous = new LinkedHashMap<>();
        ours.forEach((k, v) -> previous.put(k, String.join(TagValues.GENRE_SEPARATOR, v)));
        TagPlan plan = new TagPlan(file, Decision.WRITE, genres, fields, previous,
                "undo of " + pending.size() + " write(s) since " + pending.get(0).time());
        FormatHandler h = handler(file);
        ReentrantLock lock = lockFor(file);
        lock.lock();
        try {
            TagValues now;
            try {
                now = h.read(file);
            } catch (IOException e) {
                throw new TagException(file, "could not read the tags: " + SafeReplace.describe(e), e);
            }
            if (TagFields.REJECTED.equals(now.fields().get(TagFields.STATUS))) {
                return new TagResult(file, plan, false, "not undone: marked do-not-touch (review reject); "
                        + "tempered review clear removes the mark");
            }
            if (!now.asJournalMap().equals(ours)) {
                return new TagResult(file, plan, false, "not undone: its tags changed since our last write");
            }
            // The whole run since the file was last ours to leave is undone: its original bytes can come back.
            boolean wholeRun = pending.size() == all.size() - lastUndo - 1;
            Optional<Originals.Record> kept = Optional.empty();
            Optional<Format> format = Optional.empty();
            try {
                format = Format.detect(file);
                kept = wholeRun && format.isPresent() ? originals.read(file) : Optional.empty();
            } catch (IOException e) {
                LOG.warn("{}: could not read the kept original, restoring values: {}", file, SafeReplace.describe(e));
            }
            boolean[] bytes = {false};
            FormatHandler use = kept.isEmpty() ? h : bytesOrValues(h, kept.get(), format.get(), bytes);
            // An empty genre list removes the genre: the file had none before our first write.
            replace.replace(file, null, v -> v.asJournalMap().equals(ours) ? null
                    : "its tags changed since our last write", use, new TagChange(genres, fields), true,
                    (f, temp, before, after) -> journal.append(new Entry(Instant.now(), f, true,
                            before.asJournalMap(), after.asJournalMap())));
            try {
                originals.forget(file);
            } catch (IOException e) {
                LOG.debug("{}: could not remove the kept original: {}", file, SafeReplace.describe(e));
            }
            return new TagResult(file, plan, true, (bytes[0] ? "restored the file byte for byte as it was before "
                    : "restored the values from before ") + pending.get(0).time());
        } finally {
            lock.unlock();
        }
    }

    /**
     * A handler whose write rebuilds the original bytes when it can (the file is what our last write left and the
     * result hashes to the original), and otherwise makes the value edit; reads and audio digests are the format's.
     */
    private static FormatHandler bytesOrValues(FormatHandler h, Originals.Record kept, Format format,
            boolean[] bytes) {
        return new FormatHandler() {
            @Override
            public TagValues read(Path file) throws IOException {
                return h.read(file);
            }

            @Override
            public void write(Path source, Path target, TagChange change) throws IOException {
                bytes[0] = Originals.restore(kept, format, source, target);
                if (!bytes[0]) {
                    // Start again from an empty file of the same mode: the values path writes into it.
                    java.nio.file.Files.deleteIfExists(target);
                    SafeReplace.createLike(source, target);
                    h.write(source, target, change);
                }
            }

            @Override
            public byte[] payloadDigest(Path file) throws IOException {
                return h.payloadDigest(file);
            }
        };
    }

    // ----

    private ReentrantLock lockFor(Path file) {
        return stripes[Math.floorMod(file.hashCode(), stripes.length)];
    }

    private static Path real(Path file) throws TagException {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            throw new TagException(file, "no such file (" + SafeReplace.describe(e) + ")", e);
        }
    }

    private FormatHandler handler(Path file) throws TagException {
        Optional<Format> f;
        try {
            f = Format.detect(file);
        } catch (IOException e) {
            throw new TagException(file, "could not read the file: " + SafeReplace.describe(e), e);
        }
        return handlers.get(f.orElseThrow(() -> new TagException(file,
                "unsupported format (not MP3, FLAC, Ogg Vorbis, Opus, MP4/M4A, WAV or AIFF)")));
    }
}
