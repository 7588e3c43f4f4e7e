package dev.tempered.shell.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelRepositoryListener;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.PluginAction;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one "use model X" {@link PluginAction} service per installed model package: registered when a package
 * arrives, withdrawn when it goes, and marked {@code tempered.model.active} so hosts that track the services see
 * a swap as a modified service.
 */
@Component(service = ModelRepositoryListener.class, immediate = true)
public final class ModelMenu implements ModelRepositoryListener {
    /** Service property: the model id@version the item activates. */
    static final String MODEL_PROPERTY = "tempered.model";
    /** Service property: whether that model is the active one of its task. */
    static final String ACTIVE_PROPERTY = "tempered.model.active";
    private static final Logger LOG = LoggerFactory.getLogger(ModelMenu.class);

    /** What registering a service means; the framework's in production, a map in unit tests. */
    interface Registrar {
        Handle register(PluginAction action, Map<String, Object> properties);
    }

    /** A registered item. */
    interface Handle {
        void update(Map<String, Object> properties);

        void unregister();
    }

    private final ModelRepository repository;
    private final Registrar registrar;
    private final Map<ModelRef, Item> items = new LinkedHashMap<>();
    // Listener calls must return quickly and must not register services under the repository's lock.
    private final ExecutorService executor;

    private record Item(UseModelAction action, Handle handle, boolean active) {
    }

    @Activate
    public ModelMenu(@Reference ModelRepository repository, BundleContext context) {
        this(repository, frameworkRegistrar(context), Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "tempered-model-menu");
            t.setDaemon(true);
            return t;
        }));
        executor.execute(this::reconcile);
    }

    ModelMenu(ModelRepository repository, Registrar registrar, ExecutorService executor) {
        this.repository = repository;
        this.registrar = registrar;
        this.executor = executor;
    }

    @Override
    public void repositoryChanged(ModelRepository changed) {
        if (changed == repository && !executor.isShutdown()) {
            executor.execute(this::reconcile);
        }
    }

    /** Brings the registered items in line with the installed packages and the active model. */
    synchronized void reconcile() {
        Map<ModelRef, ModelSpec> installed = new LinkedHashMap<>();
        for (ModelSpec s : repository.installed()) {
            installed.put(s.ref(), s);
        }
        for (var it = items.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!installed.containsKey(e.getKey())) {
                e.getValue().handle().unregister();
                it.remove();
                LOG.info("Menu item for {} withdrawn", e.getKey());
            }
        }
        for (ModelSpec s : installed.values()) {
            Item item = items.get(s.ref());
            if (item == null) {
                UseModelAction action = new UseModelAction(repository, s);
                boolean active = action.isActive();
                items.put(s.ref(), new Item(action, registrar.register(action, properties(s.ref(), active)), active));
                LOG.info("Menu item for {} registered", s.ref());
            } else {
                boolean active = item.action().isActive();
                if (active != item.active()) {
                    item.handle().update(properties(s.ref(), active));
                    items.put(s.ref(), new Item(item.action(), item.handle(), active));
                }
            }
        }
    }

    /** The models that have an item now. */
    synchronized java.util.Set<ModelRef> registered() {
        return java.util.Set.copyOf(items.keySet());
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(5, TimeUnit.SECONDS);
        synchronized (this) {
            items.values().forEach(i -> i.handle().unregister());
            items.clear();
        }
    }

    private static Map<String, Object> properties(ModelRef ref, boolean active) {
        Map<String, Object> p = new HashMap<>();
        p.put(MODEL_PROPERTY, ref.toString());
        p.put(ACTIVE_PROPERTY, active);
        p.put("service.ranking", 10);
        return p;
    }

    private static Registrar frameworkRegistrar(BundleContext context) {
        return (action, properties) -> {
            ServiceRegistration<PluginAction> reg = context.registerService(PluginAction.class, action,
                    dictionary(properties));
            return new Handle() {
                @Override
                public void update(Map<String, Object> props) {
                    try {
                        reg.setProperties(dictionary(props));
                    } catch (IllegalStateException e) {
                        // Unregistered meanwhile (the bundle is stopping).
                    }
                }

                @Override
                public void unregister() {
                    try {
                        reg.unregister();
                    } catch (IllegalStateException e) {
                        // Already gone with the bundle.
                    }
                }
            };
        };
    }

    private static Dictionary<String, Object> dictionary(Map<String, Object> map) {
        return new Hashtable<>(map);
    }
}
