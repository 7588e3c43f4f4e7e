package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.CalibrationMethod;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibrateCommandTest {
    @TempDir
    Path home;

    private Path cfg() {
        return home.resolve("deploy/config/dev.tempered.calibration-toy.cfg");
    }

    private CalibrationFakes.Context context(CalibrationFakes.FakeCalibrator calibrator) {
        return EvaluateCommandTest.context(home, new CalibrationFakes.Repository(
                new CalibrationFakes.Model(EvaluateCommandTest.spec())), calibrator, new CalibrationFakes.Charts(),
                true);
    }

    @Test
    void storesTheFittedTemperatureThroughTheCalibrationStore() throws Exception {
        CalibrationFakes.FakeCalibrator calibrator = new CalibrationFakes.FakeCalibrator();
        calibrator.configured = 9;
        CalibrationFakes.Settings settings = new CalibrationFakes.Settings(calibrator, 1.5);
        CalibrationFakes.Context ctx = context(calibrator).with(dev.tempered.api.calibration.TemperatureSettings.class,
                settings);

        int rc = Cli.run(new CalibrateCommand(), List.of("--data", EvaluateCommandTest.descriptors(home).toString()), ctx);

        assertEquals(TemperedCommand.OK, rc, ctx.errors());
        double t = settings.stored;
        assertTrue(t > 0 && t != 9, "stored " + t);
        assertTrue(settings.fittedOn.startsWith("features.csv, 12 rows"), settings.fittedOn);
        assertTrue(ctx.errors().contains("warning: fitted on only 12 labelled window(s)"), ctx.errors());
        assertEquals(CalibrationMethod.MEMBER_T, calibrator.lastMethod);
        String out = ctx.output();
        assertTrue(out.contains(String.format(java.util.Locale.ROOT, "Applied: toy now uses T = %.4f", t)), out);
        assertEquals(9.0, settings.previous, "the T it replaced");

        // Evaluate after calibrate: the replaced T and the new one side by side, as the docs promise.
        CalibrationFakes.Context after = context(calibrator).with(
                dev.tempered.api.calibration.TemperatureSettings.class, settings);
        Cli.run(new EvaluateCommand(), List.of("--data", EvaluateCommandTest.descriptors(home).toString(), "--report",
                home.resolve("r").toString()), after);
        String table = after.output();
        assertTrue(table.contains("T = 9.0000 (before calibrate)"), table);
        assertTrue(table.contains(String.format(java.util.Locale.ROOT, "T = %.4f (configured)", t)), table);
        String accuracy = table.lines().filter(l -> l.startsWith("accuracy")).findFirst().orElseThrow();
        assertEquals(4, accuracy.trim().split("\\s{2,}").length, "metric, T=1, before, now: " + accuracy);
    }

    @Test
    void vectorScalingNamesItsTemperaturesAndBiasesPerClass() throws Exception {
        CalibrationFakes.FakeCalibrator calibrator = new CalibrationFakes.FakeCalibrator();
        // three classes: T_1..T_3 then b_1..b_3
        calibrator.fixedFit = new dev.tempered.api.calibration.TemperatureFit(CalibrationMethod.VECTOR_SCALING, 2.0,
                List.of(1.0, 2.0, 4.0, 0.1, -0.2, 0.1), 1.5, 1.2, 12);
        CalibrationFakes.Context ctx = context(calibrator);
        int rc = Cli.run(new CalibrateCommand(), List.of("--data", EvaluateCommandTest.descriptors(home).toString(),
                "--method", "vector"), ctx);
        assertEquals(TemperedCommand.OK, rc, ctx.errors());
        String out = ctx.output();
        assertTrue(out.contains("geometric mean of the 3 per-class temperatures; 6 parameters: 3 temperatures and 3 biases"), out);
        assertTrue(out.contains("temperatures per class: blues 1.0000, jazz 2.0000, rock 4.0000"), out);
        assertTrue(out.contains("biases per class:       blues 0.1000, jazz -0.2000, rock 0.1000"), out);
        assertTrue(ctx.output().contains("Not written"), ctx.output());
    }

    @Test
    void saysSoWhenTheApplicationHasNotAppliedItYet() throws Exception {
        CalibrationFakes.FakeCalibrator calibrator = new CalibrationFakes.FakeCalibrator();
        CalibrationFakes.Settings settings = new CalibrationFakes.Settings(calibrator, 1.5);
        settings.applies = false;
        CalibrationFakes.Context ctx = context(calibrator).with(dev.tempered.api.calibration.TemperatureSettings.class,
                settings);
        CalibrateCommand command = new CalibrateCommand();
        command.applyWaitMillis = 400;
        long start = System.nanoTime();
        Cli.run(command, List.of("--data", EvaluateCommandTest.descriptors(home).toString()), ctx);
        assertTrue(ctx.output().contains("The application still reports T = 1.5000"), ctx.output());
        assertTrue(System.nanoTime() - start >= 400 * 1_000_000L, "gave up without waiting");
    }

    @Test
    void otherMethodsAndDryRunsWriteNothing() throws Exception {
        CalibrationFakes.FakeCalibrator calibrator = new CalibrationFakes.FakeCalibrator();
        CalibrationFakes.Context ctx = context(calibrator);
        String data = EvaluateCommandTest.descriptors(home).toString();
        Cli.run(new CalibrateCommand(), List.of("--data", data, "--method", "pooled"), ctx);
        assertEquals(CalibrationMethod.POOLED_T, calibrator.lastMethod);
        Cli.run(new CalibrateCommand(), List.of("--data", data, "--dry-run"), ctx);
        assertTrue(ctx.output().contains("Not written (--dry-run)."), ctx.output());
        EvaluateCommandTest.assertMessage("--method must be member, pooled, per-member or vector",
                () -> Cli.run(new CalibrateCommand(), List.of("--data", data, "--method", "matrix"), ctx));
    }

    @Test
    void dataWithOneClassIsRefused() throws Exception {
        Path one = home.resolve("one.csv");
        Files.write(one, List.of("file,label,m0_blues,m0_jazz,m0_rock", "a.au,rock,1,2,3", "b.au,rock,3,2,1"));
        CalibrationFakes.Context ctx = context(new CalibrationFakes.FakeCalibrator());
        assertEquals(TemperedCommand.USAGE, Cli.run(new CalibrateCommand(), List.of("--data", one.toString()), ctx));
        assertTrue(ctx.errors().contains("same true class"), ctx.errors());
    }
}
