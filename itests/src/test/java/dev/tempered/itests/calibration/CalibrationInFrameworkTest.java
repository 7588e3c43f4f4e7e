package dev.tempered.itests.calibration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.model.EnsembleOutput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Hashtable;
import java.util.List;
import java.util.function.DoubleSupplier;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * Per-model calibration inside Felix: a temperature set through ConfigAdmin or a FileInstall .cfg file (what
 * {@code tempered calibrate} writes) changes the next prediction without restarting the calibrator; an invalid
 * temperature is refused and the previous one stays; removing the configuration restores the package default.
 * Also draws a chart inside the framework, which proves the embedded JFreeChart resolves there.
 */
class CalibrationInFrameworkTest {
    private static final String FACTORY_PID = "dev.tempered.calibration";
    private static final List<String> LABELS = List.of("blues", "jazz", "rock");

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 10_000)
    ConfigurationAdmin configAdmin;

    @InjectService(timeout = 10_000)
    Calibrator calibrator;

    private static EnsembleOutput output(ModelRef model) {
        return new EnsembleOutput(model, 1, 2, 3, new float[] {2, 0, -1, 1.5f, 0.5f, -1});
    }

    private static void waitFor(double expected, DoubleSupplier actual) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (Math.abs(actual.getAsDouble() - expected) > 1e-9 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, actual.getAsDouble(), 1e-9);
    }

    /** Waits for a value set through a file, naming what the file holds when it does not arrive. */
    private static void waitFor(double expected, DoubleSupplier actual, Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (Math.abs(actual.getAsDouble() - expected) > 1e-9 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, actual.getAsDouble(), 1e-9, () -> {
            try {
                return file + " now holds: " + Files.readString(file);
            } catch (java.io.IOException e) {
                return file + " unreadable: " + e;
            }
        });
    }

    /**
     * Edits made within milliseconds of FileInstall applying the previous one were once lost (the old value stayed
     * for 10 s; seen in 1 of 3 runs). The likely cause is FileInstall writing the configuration it just applied
     * back to the file (felix.fileinstall.enableConfigSave). A person or `tempered calibrate` never edits that
     * fast; the test waits two poll periods between edits.
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(1_500);
    }

    @Test
    void configAdminChangesApplyToTheNextPrediction() throws Exception {
        ModelRef model = new ModelRef("itest-config", "1.0.0");
        ServiceReference<Calibrator> before = context.getServiceReference(Calibrator.class);
        Configuration config = configAdmin.getFactoryConfiguration(FACTORY_PID, "itest-config", "?");
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("model.id", "itest-config");
            props.put("temperature", "2.5");
            config.update(props);
            waitFor(2.5, () -> calibrator.apply(output(model), 0, LABELS, 1.0).temperature());
            double confidenceAt25 = calibrator.apply(output(model), 0, LABELS, 1.0).confidence();

            props.put("temperature", "4.0");
            config.update(props);
            waitFor(4.0, () -> calibrator.temperature(model, 1.0));
            GenrePrediction p = calibrator.apply(output(model), 0, LABELS, 1.0);
            assertTrue(p.confidence() < confidenceAt25, "a higher T must soften the distribution");
            assertTrue(p.attribution().endsWith("T=4.0000"), p.attribution());

            props.put("temperature", "-1");
            config.update(props);
            Thread.sleep(500);
            assertEquals(4.0, calibrator.temperature(model, 1.0), "a refused value must leave the previous one");

            assertEquals(before.getProperty("service.id"), context.getServiceReference(Calibrator.class)
                    .getProperty("service.id"), "the calibrator was re-registered");
        } finally {
            config.delete();
        }
        waitFor(1.0, () -> calibrator.temperature(model, 1.0));
    }

    @Test
    void aCfgFileInTheWatchedFolderIsPickedUp() throws Exception {
        String dir = context.getProperty("felix.fileinstall.dir");
        assertNotNull(dir, "felix.fileinstall.dir is not set");
        Path deploy = Path.of(dir);
        Path config = deploy.resolve("config");
        Files.createDirectories(config);
        Path cfg = config.resolve(FACTORY_PID + "-itest-file.cfg");
        ModelRef model = new ModelRef("itest-file", "2.0.0");
        try {
            write(deploy, cfg, "model.id = itest-file\ntemperature = 3.25\nmin.confidence = 0.7\n");
            waitFor(3.25, () -> calibrator.temperature(model, 1.5), cfg);
            assertEquals(0.7, calibrator.minConfidence(model).orElse(Double.NaN), 1e-12);
            settle();
            write(deploy, cfg, "model.id = itest-file\ntemperature = 1.75\n");
            waitFor(1.75, () -> calibrator.temperature(model, 1.5), cfg);
            settle();
            write(deploy, cfg, "model.id = itest-file\ntemperature = NaN\n");
            Thread.sleep(2_000);
            assertEquals(1.75, calibrator.temperature(model, 1.5), "a refused value must leave the previous one");
        } finally {
            Files.deleteIfExists(cfg);
        }
        long deadline = System.currentTimeMillis() + 10_000;
        while (calibrator.temperature(model, 1.5) != 1.5 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1.5, calibrator.temperature(model, 1.5), 1e-9, () -> "after deleting " + cfg + " (exists now: "
                + Files.exists(cfg) + "), ConfigAdmin holds " + configurations());
    }

    private String configurations() {
        try {
            Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + FACTORY_PID + ")");
            return all == null ? "none" : java.util.Arrays.stream(all).map(c -> c.getPid() + "=" + c.getProperties())
                    .toList().toString();
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void metricsAndChartsWorkInsideTheFramework() throws Exception {
        CalibrationMetrics metrics = service(CalibrationMetrics.class);
        CalibrationCharts charts = service(CalibrationCharts.class);
        double[][] p = {{0.9, 0.05, 0.05}, {0.6, 0.3, 0.1}, {0.2, 0.7, 0.1}, {0.3, 0.3, 0.4}};
        int[] y = {0, 1, 1, 2};
        assertEquals(0.75, metrics.compute(Metric.ACCURACY, p, y, 15), 1e-12);
        Path png = Files.createTempDirectory("tempered-charts").resolve("reliability.png");
        charts.reliability(p, y, 15, "in-framework", png);
        assertEquals(900, ImageIO.read(png.toFile()).getWidth());
    }

    private <T> T service(Class<T> type) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        ServiceReference<T> ref = context.getServiceReference(type);
        while (ref == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            ref = context.getServiceReference(type);
        }
        assertNotNull(ref, "no " + type.getSimpleName() + " service");
        return context.getService(ref);
    }

    /**
     * Whole-file replace, as tempered calibrate does, so FileInstall never reads half a file; the temporary file
     * lives beside the watched folder, not in it.
     */
    private static void write(Path deploy, Path cfg, String text) throws Exception {
        Path tmp = Files.createTempFile(deploy.toAbsolutePath().getParent(), ".cfg", ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
