package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelSpec;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/** The component with real folders: shipped models, drops into deploy/models, removal and reconfiguration. */
class ModelRepositoryComponentTest {
    private static final ModelRef TINY1 = new ModelRef("tiny", "1.0.0");
    private static final ModelRef TINY2 = new ModelRef("tiny", "2.0.0");
    private static final ModelRef OTHER = new ModelRef("other", "0.1");

    @TempDir
    Path tmp;
    private ModelRepositoryComponent component;

    @AfterEach
    void deactivate() {
        if (component != null) {
            component.deactivate();
        }
    }

    @Test
    void servesShippedModelsAndSwapsOnDropsWithoutRestart() throws Exception {
        Path shipped = tmp.resolve("app/models");
        TestPackages.copy("tiny-1", shipped, "tiny-1");
        TestPackages.copy("other", shipped, "other");
        Path home = tmp.resolve("home");
        component = new ModelRepositoryComponent(context(Map.of("tempered.models.dir", shipped.toString(),
                "tempered.home", home.toString())), config(Map.of("pollMillis", 50L, "intraOpThreads", 1)));
        AtomicInteger announced = new AtomicInteger();
        component.addListener(r -> announced.incrementAndGet());

        // Present at activation: installed before the service is used; the first in name order is active.
        assertEquals(2, component.installed().size());
        assertEquals(OTHER, component.active("genre").orElseThrow().ref());
        component.activate("tiny", null);
        Path deploy = home.resolve("deploy/models");
        assertTrue(Files.isDirectory(deploy), "the drop folder is created");

        // A newer version of the active model, dropped by rename, takes over.
        Path staged = TestPackages.copy("tiny-2", deploy, ".tiny-2.tmp");
        Files.move(staged, deploy.resolve("tiny-2"));
        await(() -> component.active("genre").map(s -> s.ref().equals(TINY2)).orElse(false), "tiny@2 active");
        try (ModelLease l = component.lease("genre")) {
            assertEquals(TINY2, l.model().run(new float[1][8]).model());
        }
        assertTrue(announced.get() >= 1);

        // A corrupt package is rejected; serving goes on with the active model.
        Path bad = TestPackages.copy("tiny-1", deploy, ".bad.tmp");
        TestPackages.editManifest(bad, root -> root.put("version", "3.0.0"));
        Files.write(bad.resolve("model.onnx"), Arrays.copyOf(Files.readAllBytes(bad.resolve("model.onnx")), 64));
        TestPackages.rehash(bad, "model.onnx");
        Files.move(bad, deploy.resolve("bad"));
        Thread.sleep(400);
        assertEquals(List.of(TINY1, OTHER, TINY2).size(), component.installed().size());
        assertEquals(TINY2, component.active("genre").orElseThrow().ref());

        // A zip bomb (entries lying about their size) is refused and the watcher goes on watching.
        TestPackages.editManifest(TestPackages.copy("tiny-1", tmp, "bomb-src"), root -> root.put("version", "9"));
        Path bomb = TestPackages.bomb(tmp.resolve("bomb-src"), tmp.resolve("bomb.zip"), 600);
        Files.move(bomb, deploy.resolve("bomb.zip"));
        Thread.sleep(400);
        assertTrue(component.installed().stream().noneMatch(s -> s.ref().version().equals("9")));

        // A zip works like a folder.
        Path otherZip = TestPackages.zip(TestPackages.resource("other"), tmp.resolve("o.zip"), "other");
        TestPackages.editManifest(TestPackages.copy("other", tmp, "other-2"), root -> root.put("version", "0.2"));
        TestPackages.zip(tmp.resolve("other-2"), tmp.resolve("other-2.zip"), null);
        Files.move(tmp.resolve("other-2.zip"), deploy.resolve("other-2.zip"));
        await(() -> component.installed().stream().anyMatch(s -> s.ref().equals(new ModelRef("other", "0.2"))),
                "other@0.2 installed from a zip");
        assertTrue(Files.exists(otherZip));

        // Removing the active package falls back to the highest remaining version of the same model.
        deleteTree(deploy.resolve("tiny-2"));
        await(() -> component.active("genre").map(s -> s.ref().equals(TINY1)).orElse(false), "back to tiny@1");

        // Configuration picks the active model, without restart.
        component.modified(config(Map.of("pollMillis", 50L, "activeModel", new String[] {"other@0.1"})));
        component.awaitChanges();
        assertEquals(OTHER, component.active("genre").orElseThrow().ref());
        component.modified(config(Map.of("pollMillis", 50L, "activeModel", new String[] {"other"})));
        component.awaitChanges();
        assertEquals(new ModelRef("other", "0.2"), component.active("genre").orElseThrow().ref());
        assertEquals(List.of("0.1", "0.2", "1.0.0"), component.installed().stream().map(ModelSpec::ref)
                .map(ModelRef::version).sorted().toList());
    }

    @Test
    void outOfRangeRunnerOptionsAreRefusedAndThePreviousOnesKept() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("empty"));
        component = new ModelRepositoryComponent(context(Map.of()), config(Map.of("pollMillis", 50L, "modelDirs",
                new String[] {a.toString()}, "intraOpThreads", 2)));
        assertEquals(2, component.options().intraOpThreads());
        for (int bad : new int[] {100_000, -1, ModelRepositoryComponent.MAX_INTRA_OP_THREADS + 1}) {
            component.modified(config(Map.of("pollMillis", 50L, "modelDirs", new String[] {a.toString()},
                    "intraOpThreads", bad)));
            component.awaitChanges();
            assertEquals(2, component.options().intraOpThreads(), "after intraOpThreads=" + bad);
        }
        component.modified(config(Map.of("pollMillis", 50L, "modelDirs", new String[] {a.toString()},
                "maxBatch", 0)));
        component.awaitChanges();
        assertEquals(1024, component.options().maxBatch());
        component.modified(config(Map.of("pollMillis", 50L, "modelDirs", new String[] {a.toString()},
                "intraOpThreads", 3)));
        component.awaitChanges();
        assertEquals(3, component.options().intraOpThreads());
    }

    @Test
    void changingTheFoldersForgetsPackagesFromFoldersNoLongerWatched() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        TestPackages.copy("tiny-1", a, "tiny-1");
        TestPackages.copy("other", b, "other");
        component = new ModelRepositoryComponent(context(Map.of()), config(Map.of("pollMillis", 50L, "modelDirs",
                new String[] {a.toString()})));
        assertEquals(TINY1, component.active("genre").orElseThrow().ref());
        component.modified(config(Map.of("pollMillis", 50L, "modelDirs", new String[] {b.toString()})));
        component.awaitChanges();
        assertEquals(List.of(OTHER), component.installed().stream().map(ModelSpec::ref).toList());
        assertEquals(OTHER, component.active("genre").orElseThrow().ref());
    }

    /**
     * intraOpThreads=100000 once hung inside OrtSession.createSession on ConfigAdmin's thread: no later
     * configuration applied and `stop 0` hung. Sessions are created on the component's worker now.
     */
    @Test
    void aSessionCreationThatHangsNeverHoldsUpTheConfigurationCaller() throws Exception {
        Path a = tmp.resolve("a");
        TestPackages.copy("tiny-1", a, "tiny-1");
        TestPackages.copy("other", a, "other");
        CountDownLatch hang = new CountDownLatch(1);
        Set<String> loadThreads = ConcurrentHashMap.newKeySet();
        DefaultModelRepository.Loader slow = (pkg, options) -> {
            loadThreads.add(Thread.currentThread().getName());
            if (options.intraOpThreads() == 7) {
                awaitQuietly(hang);
            }
            return OnnxEnsembleModel.open(pkg, options);
        };
        Map<String, Object> base = Map.of("pollMillis", 50L, "modelDirs", new String[] {a.toString()},
                "activeModel", new String[] {"tiny"}, "intraOpThreads", 1);
        component = new ModelRepositoryComponent(context(Map.of()), config(base), slow, Duration.ofSeconds(5));
        assertEquals(TINY1, component.active("genre").orElseThrow().ref(), "models present at activation");

        // New options re-open the active model; that creation hangs until the test lets it go.
        Map<String, Object> hanging = new HashMap<>(base);
        hanging.put("intraOpThreads", 7);
        assertReturns(() -> component.modified(config(hanging)), "modified() with a hanging session creation");
        Map<String, Object> later = new HashMap<>(hanging);
        later.put("activeModel", new String[] {"other"});
        assertReturns(() -> component.modified(config(later)), "a later modified()");
        // Meanwhile the old session keeps serving.
        try (ModelLease l = component.lease("genre")) {
            assertEquals(TINY1, l.model().run(new float[1][8]).model());
        }
        assertEquals(TINY1, component.active("genre").orElseThrow().ref());

        hang.countDown();
        component.awaitChanges();
        // Both changes applied, in order: the new options, then the other model (opened with them).
        assertEquals(7, component.options().intraOpThreads());
        assertEquals(OTHER, component.active("genre").orElseThrow().ref());
        assertEquals(Set.of(ModelRepositoryComponent.WORKER_THREAD), loadThreads, "where sessions were created");
    }

    @Test
    void stoppingDoesNotWaitForASessionCreationThatNeverReturns() throws Exception {
        Path a = tmp.resolve("a");
        TestPackages.copy("tiny-1", a, "tiny-1");
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger opened = new AtomicInteger();
        DefaultModelRepository.Loader stuck = (pkg, options) -> {
            if (options.intraOpThreads() == 7) {
                // Uninterruptible, as a native call is: only the test's latch lets it return.
                while (never.getCount() > 0) {
                    awaitQuietly(never);
                }
            }
            opened.incrementAndGet();
            return OnnxEnsembleModel.open(pkg, options);
        };
        Map<String, Object> base = Map.of("pollMillis", 50L, "modelDirs", new String[] {a.toString()},
                "intraOpThreads", 1);
        ModelRepositoryComponent c = new ModelRepositoryComponent(context(Map.of()), config(base), stuck,
                Duration.ofMillis(300));
        Map<String, Object> hanging = new HashMap<>(base);
        hanging.put("intraOpThreads", 7);
        c.modified(config(hanging));
        ModelRepositoryComponentTest.await(() -> never.getCount() == 1 && opened.get() == 1, "the first load");
        Thread.sleep(100);
        assertReturns(c::deactivate, "deactivate() while a session creation hangs");
        assertTrue(c.active("genre").isEmpty(), "nothing is served after the stop");
        // When the creation finally returns, what it opened is released, not published.
        never.countDown();
        ModelRepositoryComponentTest.await(() -> opened.get() == 2, "the stuck creation returns");
        Thread.sleep(200);
        assertTrue(c.active("genre").isEmpty(), "a session opened after the stop is not served");
    }

    @Test
    void anUnknownActiveModelIsLoggedWithTheInstalledOnes() throws Exception {
        Path a = tmp.resolve("a");
        TestPackages.copy("tiny-1", a, "tiny-1");
        TestPackages.copy("other", a, "other");
        String log = capturingStderr(() -> {
            component = new ModelRepositoryComponent(context(Map.of()), config(Map.of("pollMillis", 50L,
                    "modelDirs", new String[] {a.toString()}, "activeModel", new String[] {"tiny"})));
            component.modified(config(Map.of("pollMillis", 50L, "modelDirs", new String[] {a.toString()},
                    "activeModel", new String[] {"no-such-model"})));
            component.awaitChanges();
        });
        List<String> warnings = log.lines().filter(l -> l.contains("WARN") && l.contains("activeModel")).toList();
        assertEquals(1, warnings.size(), log);
        assertTrue(warnings.get(0).contains("'no-such-model'"), warnings.get(0));
        assertTrue(warnings.get(0).contains("other@0.1") && warnings.get(0).contains("tiny@1.0.0"), warnings.get(0));
        // The model serving before keeps serving.
        assertEquals(TINY1, component.active("genre").orElseThrow().ref());
    }

    interface Action {
        void run() throws Exception;
    }

    private static String capturingStderr(Action action) throws Exception {
        java.io.PrintStream before = System.err;
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(before);
        }
        String text = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        before.print(text);
        return text;
    }

    /** The action returns while something it started is still blocked (10 s is far beyond any direct return). */
    private static void assertReturns(Runnable action, String what) throws InterruptedException {
        Thread t = new Thread(action, "test caller");
        t.setDaemon(true);
        t.start();
        t.join(10_000);
        assertFalse(t.isAlive(), what + " did not return");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            // Ignored on purpose: a native session creation cannot be interrupted either.
        }
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A BundleContext that only answers framework properties, which is all the component asks of it. */
    static BundleContext context(Map<String, String> properties) {
        return (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (p, m, args) -> switch (m.getName()) {
                    case "getProperty" -> properties.get((String) args[0]);
                    case "toString" -> "fake BundleContext";
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    /** The configuration annotation as DS would hand it over: the given values, else the declared defaults. */
    static RepositoryConfiguration config(Map<String, Object> values) {
        Map<String, Object> v = new HashMap<>(values);
        return (RepositoryConfiguration) Proxy.newProxyInstance(RepositoryConfiguration.class.getClassLoader(),
                new Class<?>[] {RepositoryConfiguration.class}, (p, m, args) -> switch (m.getName()) {
                    case "annotationType" -> RepositoryConfiguration.class;
                    case "toString" -> v.toString();
                    case "hashCode" -> v.hashCode();
                    case "equals" -> p == args[0];
                    default -> v.containsKey(m.getName()) ? v.get(m.getName()) : m.getDefaultValue();
                });
    }
}
