package dev.tempered.inference.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model repository without OSGi: installed packages, the active model per task and leases.
 *
 * <p>Requests never lock: {@link #lease(String)} reads the task's current model from a concurrent map and
 * takes a hold on it; a swap publishes the new model first and then drops the repository's own hold on the
 * old one, whose session closes when the last lease on it is closed. Changes (install, uninstall,
 * activation, configuration) are serialised by one lock, and ONNX sessions are opened under it, so two
 * swaps never interleave. {@link #close()} never waits long for that lock: a session creation that hangs
 * inside ONNX Runtime must not hang the bundle's stop, and what it opens after the close is released.
 */
public final class DefaultModelRepository implements ModelRepository, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultModelRepository.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<ModelRef, Installed> installed = new LinkedHashMap<>();
    private final Map<String, Selector> explicit = new HashMap<>();
    private final ConcurrentHashMap<String, OnnxEnsembleModel> active = new ConcurrentHashMap<>();
    private final Consumer<ModelRepository> onChange;
    private final Loader loader;
    private volatile List<ModelSpec> snapshot = List.of();
    private volatile RunnerOptions options;
    private volatile List<Selector> configured = List.of();
    private long sequence;
    private volatile boolean closed;

    /** Opens and verifies a package into a model holding one reference (a seam for slow or failing loads in tests). */
    @FunctionalInterface
    interface Loader {
        OnnxEnsembleModel open(Path pkg, RunnerOptions options) throws ModelPackageException;
    }

    /**
     * @param options  how sessions are created
     * @param onChange told after every change of the installed set or of an active model, outside the lock
     */
    public DefaultModelRepository(RunnerOptions options, Consumer<ModelRepository> onChange) {
        this(options, onChange, OnnxEnsembleModel::open);
    }

    DefaultModelRepository(RunnerOptions options, Consumer<ModelRepository> onChange, Loader loader) {
        this.options = Objects.requireNonNull(options);
        this.onChange = Objects.requireNonNull(onChange);
        this.loader = Objects.requireNonNull(loader);
    }

    /** An installed package: its declaration and where to read it again when it is (re)activated. */
    private record Installed(ModelSpec spec, Path source, long sequence) {
    }

    /** {@code id} (highest installed version) or {@code id@version} (that version). */
    record Selector(String id, String version) {
        static Selector parse(String text) {
            String t = text.trim();
            if (t.contains("@")) {
                ModelRef r = ModelRef.parse(t);
                return new Selector(r.id(), r.version());
            }
            return new Selector(new ModelRef(t, "0").id(), null);
        }

        @Override
        public String toString() {
            return version == null ? id : id + "@" + version;
        }
    }

    /** Session settings for models loaded from now on; {@link #reopenActive()} applies them to the active ones. */
    public void setOptions(RunnerOptions options) {
        this.options = Objects.requireNonNull(options);
    }

    /**
     * Opens every active model again with the current options and swaps to the new session; requests in
     * flight finish on the old one. A model that fails to open again keeps serving on its old session.
     */
    public void reopenActive() {
        boolean changed = false;
        lock.lock();
        try {
            for (String task : List.copyOf(active.keySet())) {
                OnnxEnsembleModel current = active.get(task);
                Installed source = current == null ? null : installed.get(current.spec().ref());
                if (source == null || closed) {
                    continue;
                }
                try {
                    OnnxEnsembleModel next = loader.open(source.source(), options);
                    if (!next.spec().ref().equals(current.spec().ref())) {
                        next.release();
                        LOG.error("cannot reopen {}: {} now holds {}", current.spec().ref(), source.source(),
                                next.spec().ref());
                        continue;
                    }
                    changed |= publish(task, current, next);
                } catch (ModelPackageException e) {
                    LOG.error("cannot reopen {} with the new options; it keeps its old session: {}",
                            current.spec().ref(), e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
        if (changed) {
            onChange.accept(this);
        }
    }

    /**
     * Sets the configured active models ({@code id} or {@code id@version}, at most one per task) and drops
     * activations made through {@link #activate}; swaps where the choice changes.
     *
     * @return the configured selectors that name no installed package (they apply when one arrives)
     */
    public List<String> configure(List<String> selectors) {
        List<Selector> parsed = new ArrayList<>();
        for (String s : selectors) {
            if (s != null && !s.isBlank()) {
                try {
                    parsed.add(Selector.parse(s));
                } catch (IllegalArgumentException e) {
                    LOG.error("ignoring bad active model '{}': {}", s, e.getMessage());
                }
            }
        }
        boolean changed;
        List<String> unknown = new ArrayList<>();
        lock.lock();
        try {
            configured = List.copyOf(parsed);
            explicit.clear();
            changed = reconcileAll();
            for (Selector s : configured) {
                if (pick(s.id(), s.version(), null).isEmpty()) {
                    unknown.add(s.toString());
                }
            }
        } finally {
            lock.unlock();
        }
        if (changed) {
            onChange.accept(this);
        }
        return List.copyOf(unknown);
    }

    @Override
    public List<ModelSpec> installed() {
        return snapshot;
    }

    @Override
    public Optional<ModelSpec> active(String task) {
        return Optional.ofNullable(active.get(task)).map(OnnxEnsembleModel::spec);
    }

    /** The source a package was installed from, if it is installed. */
    public Optional<Path> source(ModelRef ref) {
        lock.lock();
        try {
            return Optional.ofNullable(installed.get(ref)).map(Installed::source);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ModelLease lease(String task) throws InferenceException {
        for (;;) {
            OnnxEnsembleModel m = active.get(task);
            if (m == null) {
                throw new InferenceException("no model is active for task '" + task + "'", null);
            }
            // Fails only if a swap released this model between the read and now; the map already holds its successor.
            if (m.retain()) {
                return new Lease(m);
            }
        }
    }

    @Override
    public ModelLease lease(String id, String version) throws InferenceException {
        Installed target;
        lock.lock();
        try {
            target = pick(id, version, null).orElseThrow(() -> new InferenceException("model " + id
                    + (version == null ? "" : "@" + version) + " is not installed", null));
            OnnxEnsembleModel current = active.get(target.spec().task());
            if (current != null && current.spec().ref().equals(target.spec().ref()) && current.retain()) {
                return new Lease(current);
            }
        } finally {
            lock.unlock();
        }
        // Not active: a session of its own that closes with the lease.
        try {
            OnnxEnsembleModel m = loader.open(target.source(), options);
            if (!m.spec().ref().equals(target.spec().ref())) {
                m.release();
                throw new InferenceException(target.source() + " now holds " + m.spec().ref() + ", not "
                        + target.spec().ref(), null);
            }
            return new Lease(m);
        } catch (ModelPackageException e) {
            throw new InferenceException("cannot load " + target.spec().ref() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelSpec install(Path pkg) throws ModelPackageException {
        Path source = pkg.toAbsolutePath().normalize();
        // Verification opens a session; slow for big graphs, so it runs before taking the lock.
        OnnxEnsembleModel fresh = loader.open(source, options);
        ModelSpec spec = fresh.spec();
        lock.lock();
        try {
            if (closed) {
                fresh.release();
                throw new ModelPackageException(source, "the model repository is closed");
            }
            Installed prev = installed.get(spec.ref());
            if (prev != null && !prev.source().equals(source)) {
                fresh.release();
                throw new ModelPackageException(source, spec.ref() + " is already installed from " + prev.source());
            }
            installed.put(spec.ref(), new Installed(spec, source, prev == null ? ++sequence : prev.sequence()));
            publishSnapshot();
            LOG.info("installed {} ({} members, {} labels) from {}", spec.ref(), spec.effectiveMembers(),
                    spec.labels().size(), source);
            try {
                reconcile(spec.task(), fresh);
            } catch (ModelPackageException e) {
                LOG.error("installed {}, but the active {} model could not switch: {}", spec.ref(), spec.task(),
                        e.getMessage());
            }
        } finally {
            lock.unlock();
        }
        onChange.accept(this);
        return spec;
    }

    @Override
    public boolean uninstall(ModelRef ref) {
        lock.lock();
        try {
            Installed gone = installed.remove(ref);
            if (gone == null) {
                return false;
            }
            publishSnapshot();
            LOG.info("uninstalled {}", ref);
            reconcileQuietly(gone.spec().task());
        } finally {
            lock.unlock();
        }
        onChange.accept(this);
        return true;
    }

    /** Uninstalls whatever was installed from a path (a package removed from a watched folder). */
    public List<ModelRef> uninstallSource(Path pkg) {
        List<ModelRef> refs = installedFrom(pkg);
        refs.forEach(this::uninstall);
        return refs;
    }

    /** The packages installed from a path. */
    public List<ModelRef> installedFrom(Path pkg) {
        Path source = pkg.toAbsolutePath().normalize();
        lock.lock();
        try {
            return installed.values().stream().filter(i -> i.source().equals(source)).map(i -> i.spec().ref())
                    .toList();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ModelSpec activate(String id, String version) throws InferenceException {
        ModelSpec spec;
        lock.lock();
        try {
            Installed target = pick(id, version, null).orElseThrow(() -> new InferenceException("model " + id
                    + (version == null ? "" : "@" + version) + " is not installed", null));
            String task = target.spec().task();
            Selector previous = explicit.put(task, new Selector(id, version));
            try {
                reconcile(task, null);
            } catch (ModelPackageException e) {
                restore(task, previous);
                throw new InferenceException("cannot activate " + target.spec().ref() + ": " + e.getMessage(), e);
            }
            spec = target.spec();
        } finally {
            lock.unlock();
        }
        onChange.accept(this);
        return spec;
    }

    private void restore(String task, Selector previous) {
        if (previous == null) {
            explicit.remove(task);
        } else {
            explicit.put(task, previous);
        }
    }

    /**
     * Closes the active models' sessions once their leases drain; nothing can be activated afterwards. Waits at
     * most a second for a change in progress: one stuck inside ONNX Runtime releases what it opens when it returns.
     */
    @Override
    public void close() {
        closed = true;
        boolean locked = false;
        try {
            locked = lock.tryLock(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            LOG.warn("closing the model repository while a model change is still in progress");
        }
        try {
            for (String task : List.copyOf(active.keySet())) {
                OnnxEnsembleModel m = active.remove(task);
                if (m != null) {
                    m.release();
                }
            }
        } finally {
            if (locked) {
                lock.unlock();
            }
        }
    }

    /** Publishes {@code next} as the task's model and releases {@code current}; after a close, releases {@code next}. */
    private boolean publish(String task, OnnxEnsembleModel current, OnnxEnsembleModel next) {
        if (closed) {
            next.release();
            return false;
        }
        // Publish first, then release: a request that read the old model either got its hold in time or retries.
        active.put(task, next);
        if (current != null) {
            current.release();
        }
        // A close that did not wait for the lock may have emptied the map meanwhile: nothing may outlive it.
        if (closed && active.remove(task, next)) {
            next.release();
            return false;
        }
        LOG.info("active {} model: {} -> {}", task, current == null ? "none" : current.spec().ref(), next.spec().ref());
        return true;
    }

    // ---------------------------------------------------------------------------------- under the lock

    private void publishSnapshot() {
        snapshot = installed.values().stream().map(Installed::spec).toList();
    }

    /** Re-decides every task; true if an active model changed. Load failures are logged, the old model stays. */
    private boolean reconcileAll() {
        Set<String> tasks = new LinkedHashSet<>(active.keySet());
        installed.values().forEach(i -> tasks.add(i.spec().task()));
        boolean changed = false;
        for (String task : tasks) {
            changed |= reconcileQuietly(task);
        }
        return changed;
    }

    private boolean reconcileQuietly(String task) {
        try {
            return reconcile(task, null);
        } catch (ModelPackageException e) {
            LOG.error("cannot switch the active {} model; the previous one keeps serving: {}", task, e.getMessage());
            return false;
        }
    }

    /**
     * Makes the task's active model the one the rules choose, loading it unless {@code fresh} is it.
     * {@code fresh} (a just-verified model holding one reference) is used or released.
     *
     * @return whether the active model changed
     */
    private boolean reconcile(String task, OnnxEnsembleModel fresh) throws ModelPackageException {
        if (closed) {
            if (fresh != null) {
                fresh.release();
            }
            return false;
        }
        Optional<Installed> want = desired(task);
        OnnxEnsembleModel current = active.get(task);
        if (want.isEmpty()) {
            if (fresh != null) {
                fresh.release();
            }
            if (current != null) {
                active.remove(task, current);
                current.release();
                LOG.info("no {} model is active any more (was {})", task, current.spec().ref());
                return true;
            }
            return false;
        }
        ModelRef ref = want.get().spec().ref();
        OnnxEnsembleModel next;
        if (fresh != null && fresh.spec().ref().equals(ref)) {
            next = fresh;
        } else {
            if (fresh != null) {
                fresh.release();
            }
            if (current != null && current.spec().ref().equals(ref)) {
                return false;
            }
            next = loader.open(want.get().source(), options);
            if (!next.spec().ref().equals(ref)) {
                next.release();
                throw new ModelPackageException(want.get().source(), "now holds " + next.spec().ref() + ", not " + ref);
            }
        }
        return publish(task, current, next);
    }

    /** The explicit activation, else the configured model, else the current model's id, else the first installed. */
    private Optional<Installed> desired(String task) {
        Selector override = explicit.get(task);
        if (override != null) {
            Optional<Installed> r = pick(override.id(), override.version(), task);
            if (r.isPresent()) {
                return r;
            }
        }
        for (Selector s : configured) {
            Optional<Installed> r = pick(s.id(), s.version(), task);
            if (r.isPresent()) {
                return r;
            }
        }
        OnnxEnsembleModel current = active.get(task);
        if (current != null) {
            Optional<Installed> r = pick(current.spec().ref().id(), null, task);
            if (r.isPresent()) {
                return r;
            }
        }
        return installed.values().stream().filter(i -> i.spec().task().equals(task))
                .min(Comparator.comparingLong(Installed::sequence))
                .flatMap(first -> pick(first.spec().ref().id(), null, task));
    }

    /**
     * The installed package with this id (and task, when given): the exact version when one is named and
     * installed, else the highest version.
     */
    private Optional<Installed> pick(String id, String version, String task) {
        List<Installed> same = installed.values().stream().filter(i -> i.spec().ref().id().equals(id))
                .filter(i -> task == null || i.spec().task().equals(task)).toList();
        if (version != null) {
            Optional<Installed> exact = same.stream().filter(i -> i.spec().ref().version().equals(version))
                    .findFirst();
            if (exact.isPresent() || task == null) {
                return exact;
            }
            if (!same.isEmpty()) {
                LOG.warn("{}@{} is not installed; using the highest installed version of {}", id, version, id);
            }
        }
        return same.stream().max(Comparator.comparing(i -> i.spec().ref().version(), Versions.ORDER));
    }

    /** A hold on one model; closing it twice is harmless. */
    private static final class Lease implements ModelLease {
        private final OnnxEnsembleModel model;
        private final AtomicBoolean closed = new AtomicBoolean();

        Lease(OnnxEnsembleModel model) {
            this.model = model;
        }

        @Override
        public EnsembleModel model() {
            if (closed.get()) {
                throw new IllegalStateException("lease on " + model.spec().ref() + " is closed");
            }
            return model;
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                model.release();
            }
        }
    }
}
