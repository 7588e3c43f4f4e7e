package dev.tempered.launcher.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives the real window through its menus; needs a display (run under xvfb-run on a server). */
class HostWindowTest {
    /** Stands in for the framework's service registry: tells the window on every change, as a tracker does. */
    private final class Registry {
        private final List<PluginAction> list = new CopyOnWriteArrayList<>();

        void add(PluginAction a) {
            list.add(a);
            window.actionsChanged(list);
        }

        void remove(PluginAction a) {
            list.remove(a);
            window.actionsChanged(list);
        }
    }

    private final Registry services = new Registry();
    private HostWindow window;
    @TempDir
    Path dir;

    @BeforeEach
    void open() throws Exception {
        assumeFalse(GraphicsEnvironment.isHeadless(), "needs a display: run under xvfb-run");
        Files.createFile(dir.resolve("a.mp3"));
        Files.createFile(dir.resolve("b.flac"));
        Files.createFile(dir.resolve("notes.txt"));
        window = HostWindow.open(dir);
        window.actionsChanged(List.of());
    }

    @AfterEach
    void close() throws Exception {
        if (window != null) {
            window.close();
        }
    }

    @Test
    void menuItemsFollowTheServices() throws Exception {
        FakeAction analyse = new FakeAction("t.analyse", "Analyse selection", List.of("Tempered"), p -> Map.of());
        services.add(analyse);
        awaitOutline(o -> o.contains("- Analyse selection [t.analyse]"));
        FakeAction use = new FakeAction("t.use.x", "Use X", List.of("Tempered", "Models"), p -> Map.of());
        services.add(use);
        awaitOutline(o -> o.contains("Models\n    - Use X [t.use.x]"));
        services.remove(use);
        awaitOutline(o -> !o.contains("Use X"));
        assertTrue(window.menuOutline().contains("Analyse selection"));
    }

    @Test
    void clickingAnItemRunsItOnTheSelectionAndFillsTheTable() throws Exception {
        FakeAction analyse = new FakeAction("t.analyse", "Analyse selection", List.of("Tempered"),
                p -> Map.of("genre", p.toString().endsWith("mp3") ? "blues" : "jazz", "confidence", "0.700",
                        "entropy", "0.500", "mutual information", "0.010", "model", "m@1", "T", "1.500"));
        services.add(analyse);
        // Nothing selected: the item applies to no file, so it cannot be clicked.
        assertThrows(IllegalStateException.class, () -> window.click(List.of("Tempered", "Analyse"), 1500));
        window.selectAll();
        ActionResult r = window.click(List.of("Tempered", "Analyse"), 5000);
        assertEquals("Analyse selection done", r.summary());
        assertEquals(List.of(List.of(dir.resolve("a.mp3"), dir.resolve("b.flac"))), analyse.runs);
        assertEquals(2, window.resultRows());
        assertEquals("a.mp3", window.cell(0, "file"));
        assertEquals("blues", window.cell(0, "genre"));
        assertEquals("0.500 / 0.010", window.cell(0, ResultsModel.UNCERTAINTY));
        assertEquals("m@1  T=1.500", window.cell(0, "model"));

        // The window as a person sees it after the action (kept in target/ to look at).
        Path shot = Path.of("target", "host-window-after-analyse.png");
        window.screenshot(shot);
        BufferedImage img = ImageIO.read(shot.toFile());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 4) {
            for (int x = 0; x < img.getWidth(); x += 4) {
                colours.add(img.getRGB(x, y));
            }
        }
        assertTrue(img.getWidth() >= 800 && colours.size() > 20, "a blank or tiny screenshot: " + img.getWidth()
                + " px wide, " + colours.size() + " colours");
    }

    @Test
    void aDisabledItemIsNotClickableAndAnImageIsShown() throws Exception {
        FakeAction diagram = new FakeAction("t.diagram", "Reliability diagram", List.of("Tempered", "Calibration"),
                p -> Map.of());
        BufferedImage img = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        Path png = dir.resolve("d.png");
        ImageIO.write(img, "png", png.toFile());
        diagram.image = png;
        diagram.enabled = false;
        services.add(diagram);
        window.selectAll();
        awaitOutline(o -> o.contains("Reliability diagram"));
        assertThrows(IllegalStateException.class,
                () -> window.click(List.of("Tempered", "Calibration", "Reliability"), 1000));
        diagram.enabled = true;
        window.click(List.of("Tempered", "Calibration", "Reliability"), 5000);
        assertEquals(300, window.diagramImage().orElseThrow().getWidth());
        assertFalse(diagram.runs.isEmpty());
    }

    @Test
    void cancelStopsTheActionBetweenFiles() throws Exception {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        List<Path> done = new CopyOnWriteArrayList<>();
        services.add(new PluginAction() {
            @Override
            public String id() {
                return "t.slow";
            }

            @Override
            public String label() {
                return "Slow";
            }

            @Override
            public List<String> menuPath() {
                return List.of("Tempered");
            }

            @Override
            public boolean appliesTo(List<Path> selection) {
                return true;
            }

            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public ActionResult run(List<Path> selection, dev.tempered.api.plugin.ProgressMonitor monitor) {
                started.countDown();
                for (Path p : selection) {
                    if (monitor.isCancelled()) {
                        return new ActionResult("stopped", List.of(), java.util.Optional.empty(), true, Map.of());
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    done.add(p);
                }
                return new ActionResult("all done", List.of(), java.util.Optional.empty(), false, Map.of());
            }
        });
        window.selectAll();
        var result = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return window.click(List.of("Tempered", "Slow"), 5000);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(started.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(window.cancelRunning(), "Cancel is enabled while the action runs");
        ActionResult r = result.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(r.cancelled(), r.summary());
        assertEquals(1, done.size(), "stopped after the file in progress");
        assertFalse(window.cancelRunning(), "Cancel is disabled again");
    }

    private void awaitOutline(java.util.function.Predicate<String> test) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5000;
        while (!test.test(window.menuOutline())) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("menus did not change as expected:\n" + window.menuOutline());
            }
            Thread.sleep(100);
        }
        Thread.sleep(300);
    }
}
