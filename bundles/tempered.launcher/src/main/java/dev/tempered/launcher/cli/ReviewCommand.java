package dev.tempered.launcher.cli;

import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.tag.TagResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tempered review}: the review queue of the library index; the decisions are the ReviewQueue service's. */
@Command(name = "review", mixinStandardHelpOptions = true,
        customSynopsis = {"tempered review list   [PATH...]", "       tempered review accept PATH...",
            "       tempered review reject PATH...", "       tempered review clear  PATH..."},
        description = {"list the files waiting for a person, and accept, reject or clear Tempered's suggestions", "",
            "The review queue holds the files a tag run marked TEMPERED_STATUS=review: below the apply threshold,",
            "or keeping a genre that differs from Tempered's suggestion. PATH is a file or a folder (everything",
            "under it); list without PATH shows the whole index.", "",
            "  list     path relative to PATH, genre now, suggestion, confidence, mutual information",
            "  accept   write the suggestion into the genre field and clear the review mark",
            "  reject   mark the files do-not-touch (TEMPERED_STATUS=rejected): later runs and tag --undo leave",
            "           them alone; a file named on its own is marked even if it is not waiting",
            "  clear    remove every Tempered field (the do-not-touch mark too); the next run treats the file as",
            "           never tagged", "",
            "Every change is a safe, verified, journaled write, like tag's."},
        footer = "%nExample: tempered review list ~/Music && tempered review accept ~/Music/Jazz")
public final class ReviewCommand implements TemperedCommand {
    /** What to do with the files. */
    enum Action { list, accept, reject, clear }

    @Parameters(index = "0", paramLabel = "ACTION", description = "list, accept, reject or clear")
    Action action;

    @Parameters(index = "1..*", paramLabel = "PATH", description = "files or folders")
    List<Path> given = new ArrayList<>();

    @Override
    public int run(CliContext context) throws Exception {
        List<Path> paths = given.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        if (action != Action.list && paths.isEmpty()) {
            throw new UsageException("review " + action + " needs the files or folders to " + action);
        }
        for (Path p : paths) {
            if (!java.nio.file.Files.exists(p)) {
                throw new UsageException(p + ": no such file or folder");
            }
        }
        ReviewQueue queue = context.service(ReviewQueue.class, Duration.ofSeconds(30));
        return switch (action) {
            case list -> list(queue.list(paths), context);
            case accept -> report(queue.accept(paths), "accepted", context);
            case reject -> report(queue.reject(paths), "marked do-not-touch", context);
            case clear -> report(queue.clear(paths), "cleared", context);
        };
    }

    private static int list(List<ReviewQueue.Item> items, CliContext context) {
        if (items.isEmpty()) {
            context.out().println("Nothing waits for review.");
            return OK;
        }
        int width = Math.min(60, items.stream().mapToInt(i -> i.relativePath().length()).max().orElse(4));
        context.out().printf(Locale.ROOT, "%-" + width + "s  %-20s  %-16s  %6s  %6s%n", "file", "genre now",
                "suggestion", "conf", "MI");
        for (ReviewQueue.Item i : items) {
            context.out().printf(Locale.ROOT, "%-" + width + "s  %-20s  %-16s  %6.3f  %6.3f%n", i.relativePath(),
                    i.genre() == null ? "-" : i.genre(), i.suggestion(), i.confidence(), i.mutualInformation());
        }
        context.out().println(items.size() + " file(s) waiting; tempered review accept|reject PATH... decides.");
        return OK;
    }

    private static int report(List<TagResult> results, String done, CliContext context) {
        int ok = 0;
        for (TagResult r : results) {
            context.out().println((r.written() ? done + "  " : "not changed  ") + r.file()
                    + (r.written() ? "" : "  (" + r.message() + ")"));
            ok += r.written() ? 1 : 0;
        }
        context.out().println(ok + " of " + results.size() + " file(s) " + done + ".");
        return ok == results.size() ? OK : SOME_FAILED;
    }
}
