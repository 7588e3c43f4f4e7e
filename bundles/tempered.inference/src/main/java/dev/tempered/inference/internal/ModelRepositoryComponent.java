package dev.tempered.inference.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelRepositoryListener;
import dev.tempered.api.model.ModelSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ModelRepository} service: a {@link DefaultModelRepository} fed by watched model folders and
 * configured by ConfigAdmin, announcing changes to {@link ModelRepositoryListener} services.
 */
@Component(service = ModelRepository.class, configurationPid = ModelRepositoryComponent.PID, immediate = true)
@Designate(ocd = RepositoryConfiguration.class)
public final class ModelRepositoryComponent implements ModelRepository {
    /** The configuration PID. */
    public static final String PID = "dev.tempered.inference";
    /** Framework property naming the application's shipped models folder (set by the launcher). */
    public static final String MODELS_DIR_PROPERTY = "tempered.models.dir";
    private static final Logger LOG = LoggerFactory.getLogger(ModelRepositoryComponent.class);

    /** How long activation waits for the models already in the folders before the service is registered. */
    static final Duration ACTIVATION_WAIT = Duration.ofSeconds(120);
    /** How long deactivation waits for a model change in progress before it stops without it. */
    static final Duration STOP_WAIT = Duration.ofSeconds(5);
    static final String WORKER_THREAD = "tempered-inference-worker";

    private final BundleContext context;
    private final List<ModelRepositoryListener> listeners = new CopyOnWriteArrayList<>();
    private final DefaultModelRepository repository;
    /**
     * Every change that opens ONNX sessions (the configuration, packages from the folders) runs here, one at a
     * time and in order. Not on ConfigAdmin's thread: a session creation that hangs (intraOpThreads=100000 did,
     * inside OrtSession.createSession) would stop every later configuration of every bundle, and `stop 0`.
     */
    private final ExecutorService worker;
    private final Duration stopWait;
    private volatile Thread workerThread;
    private volatile boolean deactivated;
    /** The watcher and its settings: written on the worker only; the watcher is also closed by deactivate. */
    private volatile PackageWatcher watcher;
    private long pollMillis;
    private volatile RunnerOptions options;

    @Activate
    public ModelRepositoryComponent(BundleContext context, RepositoryConfiguration config) {
        this(context, config, OnnxEnsembleModel::open, STOP_WAIT);
    }

    ModelRepositoryComponent(BundleContext context, RepositoryConfiguration config, DefaultModelRepository.Loader loader,
            Duration stopWait) {
        this.context = context;
        this.stopWait = stopWait;
        OrtRuntime.useHome(home());
        this.options = options(config, null);
        this.repository = new DefaultModelRepository(options, this::announce, loader);
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, WORKER_THREAD);
            t.setDaemon(true);
            workerThread = t;
            return t;
        });
        // The service starts with the models already in the folders, unless loading them hangs: then it starts
        // without them and they arrive when (if) the worker gets through.
        Future<?> first = worker.submit(() -> apply(config));
        try {
            first.get(ACTIVATION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("the model folders are still being loaded after {} s; the model repository starts without"
                    + " waiting for them", ACTIVATION_WAIT.toSeconds());
        } catch (ExecutionException e) {
            LOG.error("loading the model folders failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Returns at once: the change is applied on the worker, after the changes before it. */
    @Modified
    void modified(RepositoryConfiguration config) {
        submit("configuration " + config, () -> apply(config));
    }

    /** Applies one configuration; on the worker. */
    private void apply(RepositoryConfiguration config) {
        if (deactivated) {
            return;
        }
        RunnerOptions next = options(config, options);
        boolean reopen = !next.equals(options);
        if (reopen) {
            options = next;
            repository.setOptions(next);
        }
        List<Path> dirs = dirs(config);
        List<String> active = Arrays.asList(config.activeModel());
        if (watcher == null || !watcher.dirs().equals(dirs) || pollMillis != config.pollMillis()) {
            if (watcher != null) {
                watcher.close();
                forgetFolders(watcher.dirs(), dirs);
            }
            pollMillis = Math.max(50, config.pollMillis());
            // The configured choice first, so the packages already there install straight into it.
            repository.configure(active);
            if (deactivated) {
                return;
            }
            watcher = new PackageWatcher(dirs, pollMillis, new PackageWatcher.Handler() {
                @Override
                public void arrived(Path pkg) {
                    onWorker("install " + pkg, () -> installFromFolder(pkg));
                }

                @Override
                public void vanished(Path pkg) {
                    onWorker("uninstall " + pkg, () -> repository.uninstallSource(pkg));
                }
            });
            LOG.info("watching model folders {} every {} ms", dirs, pollMillis);
            if (deactivated) {
                // Stopped while the first scan was loading: deactivate may have closed the previous watcher only.
                watcher.close();
                return;
            }
        }
        List<String> unknown = repository.configure(active);
        if (!unknown.isEmpty()) {
            LOG.warn("activeModel {} names no installed model package (installed: {}); it becomes active when such"
                    + " a package arrives", unknown.size() == 1 ? "'" + unknown.get(0) + "'" : unknown,
                    repository.installed().isEmpty() ? "none" : repository.installed().stream()
                            .map(s -> s.ref().toString()).collect(Collectors.joining(", ")));
        }
        if (reopen) {
            repository.reopenActive();
        }
    }

    /** Runs now when already on the worker (the watcher's first scan), else queues it there. */
    private void onWorker(String what, Runnable task) {
        if (Thread.currentThread() == workerThread) {
            task.run();
        } else {
            submit(what, task);
        }
    }

    private void submit(String what, Runnable task) {
        if (deactivated) {
            return;
        }
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | OutOfMemoryError | LinkageError e) {
                    LOG.error("model repository change failed ({}); later changes still apply", what, e);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("ignoring {}: the model repository is stopping", what);
        }
    }

    /** Waits until the changes queued so far are applied (for tests). */
    void awaitChanges() throws Exception {
        worker.submit(() -> { }).get(30, TimeUnit.SECONDS);
    }

    /** Stops watching and closes the sessions; waits for a change in progress for {@link #STOP_WAIT} at most. */
    @Deactivate
    void deactivate() {
        deactivated = true;
        // Changes still queued are moot; one in progress is interrupted, and abandoned if it does not return.
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(stopWait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("a model change is still in progress after {} ms (ONNX Runtime creating a session?);"
                        + " stopping without it", stopWait.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PackageWatcher w = watcher;
        if (w != null) {
            w.close();
        }
        repository.close();
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(ModelRepositoryListener listener) {
        listeners.add(listener);
    }

    void removeListener(ModelRepositoryListener listener) {
        listeners.remove(listener);
    }

    /** Packages that came from folders no longer watched go, as if they had been deleted. */
    private void forgetFolders(List<Path> before, List<Path> now) {
        for (ModelSpec spec : repository.installed()) {
            repository.source(spec.ref()).filter(src -> before.contains(src.getParent()) && !now.contains(src.getParent()))
                    .ifPresent(src -> repository.uninstall(spec.ref()));
        }
    }

    private void installFromFolder(Path pkg) {
        try {
            ModelSpec spec = repository.install(pkg);
            // A package edited in place to a new id or version replaces what it held before.
            for (ModelRef old : repository.installedFrom(pkg)) {
                if (!old.equals(spec.ref())) {
                    repository.uninstall(old);
                }
            }
        } catch (ModelPackageException e) {
            LOG.error("rejected model package: {}", e.getMessage());
        }
    }

    private void announce(ModelRepository repo) {
        for (ModelRepositoryListener l : listeners) {
            try {
                l.repositoryChanged(this);
            } catch (RuntimeException e) {
                LOG.warn("model repository listener {} failed", l, e);
            }
        }
    }

    private List<Path> dirs(RepositoryConfiguration config) {
        List<Path> dirs = new ArrayList<>();
        if (config.modelDirs().length > 0) {
            Arrays.stream(config.modelDirs()).filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath().normalize())
                    .forEach(dirs::add);
            return dirs;
        }
        String shipped = context.getProperty(MODELS_DIR_PROPERTY);
        if (shipped != null && !shipped.isBlank()) {
            dirs.add(Path.of(shipped).toAbsolutePath().normalize());
        }
        Path deploy = home().resolve("deploy").resolve("models").toAbsolutePath().normalize();
        try {
            Files.createDirectories(deploy);
        } catch (IOException e) {
            LOG.warn("cannot create the model drop folder {}: {}", deploy, e.getMessage());
        }
        dirs.add(deploy);
        return dirs;
    }

    private Path home() {
        return dev.tempered.api.TemperedHome.resolve(context.getProperty(dev.tempered.api.TemperedHome.PROPERTY));
    }

    /** Threads per session at most: ONNX Runtime starts them all inside createSession, 100,000 wedged it. */
    static final int MAX_INTRA_OP_THREADS = 256;
    static final int MAX_BATCH = 65_536;

    /** The configured options, or the previous ones (logged) for a value outside its range. */
    private static RunnerOptions options(RepositoryConfiguration c, RunnerOptions previous) {
        RunnerOptions keep = previous == null ? RunnerOptions.defaults() : previous;
        if (c.intraOpThreads() < 0 || c.intraOpThreads() > MAX_INTRA_OP_THREADS) {
            LOG.error("refused intraOpThreads={} (must be 0 for one per processor, or 1..{}); keeping {}",
                    c.intraOpThreads(), MAX_INTRA_OP_THREADS, keep.intraOpThreads());
            return keep;
        }
        if (c.maxBatch() < 1 || c.maxBatch() > MAX_BATCH) {
            LOG.error("refused maxBatch={} (must be 1..{}); keeping {}", c.maxBatch(), MAX_BATCH, keep.maxBatch());
            return keep;
        }
        return new RunnerOptions(c.intraOpThreads(), c.cuda(), c.maxBatch(), c.mcDropoutTiled());
    }

    /** The options in force, for tests. */
    RunnerOptions options() {
        return options;
    }

    @Override
    public List<ModelSpec> installed() {
        return repository.installed();
    }

    @Override
    public Optional<ModelSpec> active(String task) {
        return repository.active(task);
    }

    @Override
    public ModelLease lease(String task) throws InferenceException {
        return repository.lease(task);
    }

    @Override
    public ModelLease lease(String id, String version) throws InferenceException {
        return repository.lease(id, version);
    }

    @Override
    public ModelSpec install(Path pkg) throws ModelPackageException {
        return repository.install(pkg);
    }

    @Override
    public boolean uninstall(ModelRef ref) {
        return repository.uninstall(ref);
    }

    @Override
    public Optional<Path> source(ModelRef ref) {
        return repository.source(ref);
    }

    @Override
    public ModelSpec activate(String id, String version) throws InferenceException {
        return repository.activate(id, version);
    }
}
