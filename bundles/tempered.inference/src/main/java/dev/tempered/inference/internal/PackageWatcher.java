package dev.tempered.inference.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls folders for model packages (sub-folders holding {@code model.json}, or {@code .zip} files) and
 * reports those that appeared, changed or vanished. A package is reported only once it has looked the same
 * on two consecutive polls, so a copy in progress is not verified half-written; packages present at the
 * first scan are taken as complete. Names starting with '.' or ending in .tmp/.part are ignored, so a
 * package copied under such a name and renamed is picked up at once when complete.
 */
final class PackageWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PackageWatcher.class);

    /** What the watcher reports. */
    interface Handler {
        /** A package appeared or changed; it is stable now. */
        void arrived(Path pkg);

        /** A package that was reported is gone. */
        void vanished(Path pkg);
    }

    private final List<Path> dirs;
    private final Handler handler;
    private final Map<Path, String> reported = new HashMap<>();
    private final Map<Path, String> pending = new HashMap<>();
    private final ScheduledExecutorService timer;

    /**
     * Scans once now (in the caller's thread), then every {@code pollMillis} in a daemon thread.
     */
    PackageWatcher(List<Path> dirs, long pollMillis, Handler handler) {
        this.dirs = List.copyOf(dirs);
        this.handler = Objects.requireNonNull(handler);
        scan(true);
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tempered-model-watcher");
            t.setDaemon(true);
            return t;
        });
        // A scheduled task that throws is never run again, silently: so nothing may leave this one.
        timer.scheduleWithFixedDelay(() -> {
            try {
                scan(false);
            } catch (RuntimeException | Error e) {
                LOG.error("model folder scan failed; the watcher goes on", e);
            }
        }, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    List<Path> dirs() {
        return dirs;
    }

    synchronized void scan(boolean first) {
        // Folder order, then name order: the first package installed for a task becomes active by default.
        Map<Path, String> now = new LinkedHashMap<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    if (name.startsWith(".") || name.endsWith(".tmp") || name.endsWith(".part")) {
                        continue;
                    }
                    if (PackageFiles.isPackage(p)) {
                        now.put(p.toAbsolutePath().normalize(), fingerprint(p));
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("cannot list model folder {}: {}", dir, e.getMessage());
            }
        }
        for (Path gone : List.copyOf(reported.keySet())) {
            if (!now.containsKey(gone)) {
                reported.remove(gone);
                safely(() -> handler.vanished(gone));
            }
        }
        pending.keySet().retainAll(now.keySet());
        now.forEach((p, fp) -> {
            if (fp.equals(reported.get(p))) {
                return;
            }
            if (first || fp.equals(pending.get(p))) {
                pending.remove(p);
                // Recorded before the handler runs: a package that fails verification is retried only when it changes.
                reported.put(p, fp);
                safely(() -> handler.arrived(p));
            } else {
                pending.put(p, fp);
            }
        });
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | OutOfMemoryError | LinkageError e) {
            // One package, whatever it holds, must not stop the watcher: later packages still install.
            LOG.error("model folder handler failed; the watcher goes on", e);
        }
    }

    /** Names, sizes and modification times of everything in the package. */
    private static String fingerprint(Path p) {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(p, 4)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                sb.append(p.relativize(f)).append(':').append(a.size()).append(':')
                        .append(a.lastModifiedTime().toMillis()).append(';');
            }
        } catch (IOException | UncheckedIOException e) {
            sb.append("unreadable:").append(e.getMessage());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
