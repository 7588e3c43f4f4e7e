package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** The calibration store over an in-memory ConfigurationAdmin and a calibrator that reads it as the real one does. */
class CalibrationStoreTest {
    private static final ModelRef TOY = new ModelRef("toy", "1.0.0");
    @TempDir
    Path home;
    private final List<Dictionary<String, Object>> configs = new ArrayList<>();

    private ConfigurationAdmin configAdmin() {
        return (ConfigurationAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConfigurationAdmin.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getFactoryConfiguration" -> configuration(new Hashtable<>(), true);
                    case "listConfigurations" -> {
                        Matcher m = Pattern.compile("\\(model\\.id=([^)]+)\\)").matcher((String) args[0]);
                        m.find();
                        List<Configuration> out = new ArrayList<>();
                        for (Dictionary<String, Object> d : configs) {
                            if (m.group(1).equals(d.get("model.id"))) {
                                out.add(configuration(d, false));
                            }
                        }
                        yield out.isEmpty() ? null : out.toArray(Configuration[]::new);
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Configuration configuration(Dictionary<String, Object> initial, boolean fresh) {
        Dictionary<String, Object>[] current = new Dictionary[] {fresh ? null : initial};
        return (Configuration) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Configuration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getProperties" -> current[0];
                    case "update" -> {
                        @SuppressWarnings("unchecked")
                        Dictionary<String, Object> d = (Dictionary<String, Object>) args[0];
                        configs.remove(current[0]);
                        configs.add(d);
                        current[0] = d;
                        yield null;
                    }
                    case "delete" -> {
                        configs.remove(current[0]);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Reads "temperature" of the model's configuration, as ModelCalibration does, with the same range check. */
    private Calibrator reader() {
        return (Calibrator) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Calibrator.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "temperature" -> configs.stream().filter(d -> TOY.id().equals(d.get("model.id")))
                            .map(d -> Double.parseDouble(d.get("temperature").toString())).findFirst()
                            .orElse((Double) args[1]);
                    case "minConfidence" -> OptionalDouble.empty();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private ModelRepository repository() {
        ModelSpec spec = new ModelSpec(TOY, "genre", "toy", List.of("a", "b"), 22050, "x",
                new ModelSpec.Windowing(30, 1, "mean-probability"), "in", List.of(-1L, 2L), "out", 1, 0, 2.5, Map.of());
        return (ModelRepository) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ModelRepository.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "installed" -> List.of(spec);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private CalibrationStore store() {
        return new CalibrationStore(configAdmin(), reader(), repository(), home.resolve("deploy/config"));
    }

    private Path cfg() {
        return home.resolve("deploy/config/dev.tempered.calibration-toy.cfg");
    }

    @Test
    void storesTheTemperatureAndTheOneItReplaced() throws Exception {
        CalibrationStore store = store();
        store.setTemperature(TOY, 3.25, "features.csv, 12 rows");
        Map<String, String> file = CfgFiles.read(Files.readString(cfg()));
        assertEquals("3.250000", file.get("temperature"));
        assertEquals("2.500000", file.get(CalibrationStore.PREVIOUS), "the package default was in use");
        assertEquals("features.csv, 12 rows", file.get("fitted.on"));
        assertEquals(OptionalDouble.of(2.5), store.previousTemperature(TOY));

        store.setTemperature(TOY, 4.0, "again");
        assertEquals("3.250000", CfgFiles.read(Files.readString(cfg())).get(CalibrationStore.PREVIOUS));
        assertEquals(OptionalDouble.of(3.25), store.previousTemperature(TOY));
        try (var files = Files.list(home)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temporary file left");
        }
    }

    @Test
    void aHandEditSinceMakesThePreviousOneStale() throws Exception {
        CalibrationStore store = store();
        store.setTemperature(TOY, 3.25, "fit");
        configs.get(0).put("temperature", "5");
        assertEquals(OptionalDouble.empty(), store.previousTemperature(TOY));
    }

    @Test
    void temperaturesTheCalibratorWouldRefuseAreRefusedHere() {
        CalibrationStore store = store();
        for (double t : new double[] {1e-320, 1e308, Double.NaN, -1, 0, Double.POSITIVE_INFINITY}) {
            TemperedException e = assertThrows(TemperedException.class, () -> store.setTemperature(TOY, t, "x"));
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
        }
        assertTrue(configs.isEmpty());
        assertFalse(Files.exists(cfg()));
    }

    @Test
    void valuesSurviveTheCfgFormat() throws Exception {
        String tricky = " C:\\music\\new\nline ${HOME}";
        String line = "fitted.on = " + CfgFiles.escape(tricky);
        assertEquals(" C:\\music\\new\nline $ {HOME}", CfgFiles.read(line).get("fitted.on"));
    }
}
