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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private final BundleContext context;
    private final List<ModelRepositoryListener> listeners = new CopyOnWriteArrayList<>();
    private final DefaultModelRepository repository;
    private PackageWatcher watcher;
    private long pollMillis;
    /** The options sessions are created with; guarded by {@code this}. */
    private RunnerOptions options;

    @Activate
    public ModelRepositoryComponent(BundleContext context, RepositoryConfiguration config) {
        this.context = context;
        OrtRuntime.useHome(home());
        this.options = options(config, null);
        this.repository = new DefaultModelRepository(options, this::announce);
        modified(config);
    }

    @Modified
    synchronized void modified(RepositoryConfiguration config) {
        RunnerOptions next = options(config, options);
        if (!next.equals(options)) {
            options = next;
            repository.setOptions(next);
        }
        List<Path> dirs = dirs(config);
        if (watcher == null || !watcher.dirs().equals(dirs) || pollMillis != config.pollMillis()) {
            if (watcher != null) {
                watcher.close();
                forgetFolders(watcher.dirs(), dirs);
            }
            pollMillis = Math.max(50, config.pollMillis());
            // Installs what is there already before the first activation, so the service starts with its models.
            repository.configure(Arrays.asList(config.activeModel()));
            watcher = new PackageWatcher(dirs, pollMillis, new PackageWatcher.Handler() {
                @Override
                public void arrived(Path pkg) {
                    installFromFolder(pkg);
                }

                @Override
                public void vanished(Path pkg) {
                    repository.uninstallSource(pkg);
                }
            });
            LOG.info("watching model folders {} every {} ms", dirs, pollMillis);
        }
        repository.configure(Arrays.asList(config.activeModel()));
        // Before: a mistyped activeModel was ignored without a word and another package served.
        for (String unknown : repository.unmatchedSelectors()) {
            LOG.warn("activeModel '{}' names no installed package (installed: {}); the first installed package of "
                    + "its task serves until one with that id appears", unknown, repository.installed().stream()
                    .map(m -> m.ref().toString()).toList());
        }
    }

    @Deactivate
    synchronized void deactivate() {
        if (watcher != null) {
            watcher.close();
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
    synchronized RunnerOptions options() {
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
