package dev.tempered.launcher.cli;

import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.library.TagJobSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How every command that runs a collection job shows it: progress on stderr, Ctrl-C or SIGTERM to stop cleanly,
 * and the summary. Shared by tag, demo and evaluate so none of them reaches into another command.
 */
public final class TagJobConsole {
    private TagJobConsole() {
    }

    /** Runs a job with progress on stderr; Ctrl-C or SIGTERM cancels it, and it returns once every file is whole. */
    static TagJobSummary run(CollectionTagger tagger, TagJobRequest request, CliContext context)
            throws Exception {
        return run(console -> tagger.tag(request, console), context);
    }

    /** What a job does with the console as its listener. */
    interface Job {
        TagJobSummary run(TagJobListener console) throws Exception;
    }

    /** Runs any collection job (tag, apply) the same way. */
    static TagJobSummary run(Job job, CliContext context) throws Exception {
        Console console = new Console(context.err(), context.interactive());
        try (StopSignals signals = StopSignals.install(() -> {
            console.cancelled.set(true);
            context.err().println("\ntempered: stopping; finishing the files in flight (Ctrl-C again to force)");
        })) {
            return job.run(console);
        } finally {
            console.clear();
        }
    }

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
