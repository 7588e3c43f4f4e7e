package dev.tempered.launcher;

import dev.tempered.api.TemperedException;
import dev.tempered.launcher.cli.CliContext;
import dev.tempered.launcher.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Felix started in this JVM from the assembled feature. The API packages are exported by the system bundle
 * from the launcher's own classpath, so the command line (and any embedding host) shares their classes with
 * the bundles.
 */
final class EmbeddedFramework implements CliContext, AutoCloseable {
    private final Framework framework;
    private final Path appDir;
    private final Path home;
    private final Path storage;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    /** Held locked while this process runs: a later start that can lock it knows the cache is a dead run's. */
    private FileChannel inUse;

    private EmbeddedFramework(Framework framework, Path appDir, Path home, Path storage, PrintStream out,
            PrintStream err, boolean interactive) {
        this.framework = framework;
        this.appDir = appDir;
        this.home = home;
        this.storage = storage;
        this.out = out;
        this.err = err;
        this.interactive = interactive;
    }

    /**
     * Starts the framework and every bundle of the feature, in start order.
     *
     * @param console whether the Gogo shell may read the terminal
     * @param verbose whether bundles log at info level (else warnings only)
     */
    static EmbeddedFramework start(Path appDir, Path home, boolean console, boolean verbose, PrintStream out,
            PrintStream err, boolean interactive) throws IOException, BundleException, UsageException {
        return start(appDir, home, console, verbose, out, err, interactive, Set.of(), Map.of());
    }

    /**
     * Starts the framework and the bundles of the feature, in start order: every bundle without a
     * {@code start-with} group, and those of the groups named (the rest are installed and stay unstarted).
     *
     * @param groups     the {@code start-with} groups to start, e.g. {@code serve}
     * @param properties framework properties added to (and overriding) the feature's
     */
    static EmbeddedFramework start(Path appDir, Path home, boolean console, boolean verbose, PrintStream out,
            PrintStream err, boolean interactive, Set<String> groups, Map<String, String> properties)
            throws IOException, BundleException, UsageException {
        Path featureFile = appDir.resolve("features/app.json");
        if (!Files.isRegularFile(featureFile)) {
            throw new UsageException("the application is not assembled: " + featureFile + " is missing (run ./tempered, which builds it)");
        }
        FeatureFile feature = FeatureFile.read(featureFile);
        for (String sub : List.of("deploy/models", "deploy/config", "cache")) {
            Files.createDirectories(home.resolve(sub));
        }
        // A private cache per process: two commands may run at once, and nothing is worth keeping between runs.
        removeStaleCaches(home.resolve("cache"), err);
        Path storage = Files.createTempDirectory(home.resolve("cache"), "felix-");
        FileChannel inUse = lockStorage(storage);

        Map<String, String> props = new HashMap<>(feature.frameworkProperties());
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, apiExports());
        props.put("felix.fileinstall.dir", home.resolve("deploy").toString());
        props.put(dev.tempered.api.TemperedHome.PROPERTY, home.toString());
        props.put("tempered.models.dir", appDir.resolve("models").toString());
        props.put("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "warn");
        props.put("gosh.args", console ? "" : "--nointeractive");
        props.put("gosh.home", home.toString());
        props.putAll(properties);
        // SPI Fly reports every provider it wires through java.util.logging; that is noise on a command line.
        java.util.logging.Logger.getLogger("").setLevel(verbose ? java.util.logging.Level.INFO : java.util.logging.Level.WARNING);
        // slf4j-simple reads its settings from system properties, not framework properties.
        props.forEach((k, v) -> {
            if (k.startsWith("org.slf4j.simpleLogger.")) {
                System.setProperty(k, v);
            }
        });

        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the classpath"));
        Framework framework = factory.newFramework(props);
        framework.init();
        BundleContext bc = framework.getBundleContext();
        List<Bundle> toStart = new ArrayList<>();
        for (FeatureFile.BundleEntry entry : feature.bundles()) {
            if (entry.providedByHost()) {
                continue;
            }
            Path jar = appDir.resolve("bundles").resolve(entry.fileName());
            if (!Files.isRegularFile(jar)) {
                throw new UsageException("bundle " + entry + " of the feature is missing: " + jar);
            }
            Bundle b = bc.installBundle(jar.toUri().toString());
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null
                    && (entry.startWith() == null || groups.contains(entry.startWith()))) {
                toStart.add(b);
            }
        }
        framework.start();
        EmbeddedFramework ef = new EmbeddedFramework(framework, appDir, home, storage, out, err, interactive);
        ef.inUse = inUse;
        for (Bundle b : toStart) {
            try {
                b.start();
            } catch (BundleException e) {
                ef.close();
                throw new UsageException("bundle " + b.getSymbolicName() + " " + b.getVersion() + " does not start: "
                        + e.getMessage());
            }
        }
        return ef;
    }

    /** The Export-Package header of the API jar on our classpath: the one place its versions are declared. */
    static String apiExports() throws IOException {
        try {
            Path jar = Path.of(TemperedException.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(jar)) {
                throw new IOException("the API must be on the classpath as its bundle jar, not as " + jar);
            }
            try (JarFile jf = new JarFile(jar.toFile())) {
                String exports = jf.getManifest().getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
                if (exports == null) {
                    throw new IOException(jar + " has no Export-Package header");
                }
                return exports;
            }
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    Framework framework() {
        return framework;
    }

    /** Blocks until the framework stops (the shell's {@code stop 0}, or a signal). */
    void waitForStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    @Override
    public <T> T service(Class<T> type, Duration wait) throws UsageException {
        ServiceTracker<T, T> tracker = new ServiceTracker<>(framework.getBundleContext(), type, null);
        tracker.open();
        try {
            T service = tracker.waitForService(wait.toMillis());
            if (service == null) {
                throw new UsageException("no " + type.getSimpleName() + " service is available after " + wait.toSeconds()
                        + " s: the bundle that provides it is missing or failed to start (run with --verbose)");
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UsageException("interrupted while waiting for " + type.getSimpleName());
        }
        // The tracker is left open on purpose: closing it would unget the service the caller is about to use.
    }

    @Override
    public <T> List<T> services(Class<T> type) {
        BundleContext bc = framework.getBundleContext();
        try {
            List<ServiceReference<T>> refs = new ArrayList<>(bc.getServiceReferences(type, null));
            refs.sort(Comparator.reverseOrder());
            List<T> result = new ArrayList<>();
            for (ServiceReference<T> ref : refs) {
                T s = bc.getService(ref);
                if (s != null) {
                    result.add(s);
                }
            }
            return result;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public <T> AutoCloseable follow(Class<T> type, Consumer<List<T>> listener) {
        BundleContext bc = framework.getBundleContext();
        // Highest ranking first: ServiceReference orders by ranking, then by age.
        Map<ServiceReference<T>, T> live = new java.util.TreeMap<>(Comparator.reverseOrder());
        // The tracker gets each service once and ungets it when it goes; the listener sees every change in order.
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bc, type, null) {
            @Override
            public T addingService(ServiceReference<T> reference) {
                T service = super.addingService(reference);
                if (service != null) {
                    changed(() -> live.put(reference, service));
                }
                return service;
            }

            @Override
            public void modifiedService(ServiceReference<T> reference, T service) {
                changed(() -> live.put(reference, service));
            }

            @Override
            public void removedService(ServiceReference<T> reference, T service) {
                changed(() -> live.remove(reference));
                super.removedService(reference, service);
            }

            private void changed(Runnable update) {
                List<T> now;
                synchronized (live) {
                    update.run();
                    now = List.copyOf(live.values());
                    listener.accept(now);
                }
            }
        };
        tracker.open();
        synchronized (live) {
            if (live.isEmpty()) {
                listener.accept(List.of());
            }
        }
        return tracker::close;
    }

    @Override
    public PrintStream out() {
        return out;
    }

    @Override
    public PrintStream err() {
        return err;
    }

    @Override
    public Path home() {
        return home;
    }

    @Override
    public Path appDir() {
        return appDir;
    }

    @Override
    public boolean interactive() {
        return interactive;
    }

    @Override
    public void close() {
        try {
            if ((framework.getState() & (Bundle.ACTIVE | Bundle.STARTING)) != 0) {
                framework.stop();
                framework.waitForStop(15_000);
            }
        } catch (BundleException | InterruptedException e) {
            err.println("warning: the framework did not stop cleanly: " + e.getMessage());
        } finally {
            deleteTree(storage);
            try {
                if (inUse != null) {
                    inUse.close();
                }
                Files.deleteIfExists(lockFile(storage));
            } catch (IOException e) {
                // A lock file left behind is removed by the next start.
            }
        }
    }

    /** Beside the cache, not in it: Felix empties its storage folder on first init. */
    static Path lockFile(Path storage) {
        return storage.resolveSibling(storage.getFileName() + ".lock");
    }

    /** Locks the cache's lock file for the life of this process (the OS releases it when the process dies). */
    static FileChannel lockStorage(Path storage) throws IOException {
        FileChannel ch = FileChannel.open(lockFile(storage), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (ch.tryLock() == null) {
                throw new IOException("cannot lock " + lockFile(storage));
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * A cache younger than this is never removed: a starting run creates its folder, then its lock file, then
     * locks it, and another start looking in between must not take that for a dead run's.
     */
    static final Duration UNLOCKED_GRACE = Duration.ofMinutes(2);

    /**
     * Removes the Felix caches of runs that were killed (about 35 MB each): a cache whose lock file no live
     * process holds, or an old one without a lock file (left by versions before the lock existed).
     *
     * @return how many were removed
     */
    static int removeStaleCaches(Path cache, PrintStream err) {
        return removeStaleCaches(cache, UNLOCKED_GRACE, err);
    }

    static int removeStaleCaches(Path cache, Duration grace, PrintStream err) {
        java.time.Instant youngest = java.time.Instant.now().minus(grace);
        int removed = 0;
        List<Path> dirs;
        try (Stream<Path> s = Files.list(cache)) {
            dirs = s.filter(p -> p.getFileName().toString().startsWith("felix-")
                    && !p.getFileName().toString().endsWith(".lock")
                    && Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList();
        } catch (IOException e) {
            return 0;
        }
        for (Path dir : dirs) {
            Path lock = lockFile(dir);
            boolean stale;
            if (!olderThan(dir, youngest) || Files.exists(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !olderThan(lock, youngest)) {
                stale = false;
            } else if (Files.isRegularFile(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                stale = false;
                try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.WRITE)) {
                    stale = ch.tryLock() != null; // released with the channel
                } catch (java.nio.channels.OverlappingFileLockException | IOException e) {
                    // Held in this JVM, or unreadable: not ours to remove.
                }
            } else {
                // No lock file (a version before the lock, or a run killed before it locked), and old.
                stale = !Files.exists(lock, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            }
            if (stale) {
                deleteTree(dir);
                try {
                    Files.deleteIfExists(lock);
                } catch (IOException e) {
                    // Harmless: the next start tries again.
                }
                removed++;
            }
        }
        if (removed > 0 && err != null) {
            err.println("tempered: removed " + removed + " cache folder" + (removed == 1 ? "" : "s")
                    + " left in " + cache + " by runs that were killed");
        }
        return removed;
    }

    private static boolean olderThan(Path p, java.time.Instant t) {
        try {
            return Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(t);
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // A cache left behind is harmless; it lives under the home's cache folder.
        }
    }
}
