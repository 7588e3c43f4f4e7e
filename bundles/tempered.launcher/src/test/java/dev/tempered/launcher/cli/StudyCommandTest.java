package dev.tempered.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.calibration.CalibrationStudy;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.StudyRequest;
import dev.tempered.api.calibration.StudyResult;
import dev.tempered.api.ModelRef;
import dev.tempered.api.model.ModelSpec;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The study command only loads logits and hands them, with the package's split, to the study service. */
class StudyCommandTest {
    @TempDir
    Path dir;

    /** Records the request and answers with one variant. */
    static final class FakeStudy implements CalibrationStudy {
        StudyRequest request;
        Path report;

        @Override
        public StudyResult run(StudyRequest request, Path report) {
            this.request = request;
            this.report = report;
            Map<Metric, MetricValue> m = new EnumMap<>(Metric.class);
            for (Metric k : Metric.values()) {
                m.put(k, new MetricValue(k, 0.5, 0.5, 0.5));
            }
            return new StudyResult("Split: given", List.of(new StudyResult.Variant("deep ensemble (2)", 1.1, 1.3, m, m)),
                    report.resolve("index.html"), report.resolve("summary.md"), List.of(), "");
        }
    }

    @Test
    void everyRowGoesToTheServiceWithThePackagesSplit() throws Exception {
        ModelSpec base = EvaluateCommandTest.spec();
        Map<String, Object> provenance = new java.util.HashMap<>(base.provenance());
        provenance.put("testFiles", List.of("clip.00000.au", "clip.00001.au"));
        ModelSpec spec = new ModelSpec(base.ref(), base.task(), base.name(), base.labels(), base.sampleRate(),
                base.frontEnd(), base.windowing(), base.inputName(), base.inputShape(), base.outputName(),
                base.members(), 0, base.defaultTemperature(), provenance);
        CalibrationFakes.FakeCalibrator calibrator = new CalibrationFakes.FakeCalibrator();
        calibrator.configured = 2.0;
        CalibrationFakes.Context ctx = EvaluateCommandTest.context(dir, new CalibrationFakes.Repository(
                new CalibrationFakes.Model(spec)), calibrator, new CalibrationFakes.Charts(), true);
        FakeStudy study = new FakeStudy();
        ctx.with(CalibrationStudy.class, study);

        int rc = Cli.run(new StudyCommand(), List.of("--data", EvaluateCommandTest.descriptors(dir).toString(), "--report",
                dir.resolve("r").toString(), "--resamples", "7"), ctx);

        assertEquals(TemperedCommand.OK, rc, ctx.errors());
        StudyRequest q = study.request;
        assertEquals(14, q.ensemble().size(), "no rows skipped: the study splits them itself");
        assertEquals(java.util.Set.of("fitted.00001.au"), q.validationRows());
        assertEquals(java.util.Set.of("clip.00000.au", "clip.00001.au"), q.testRows());
        assertTrue(q.mcDropout().isEmpty(), "no toy-mcd installed");
        assertEquals(2.0, q.shippedT(), 0);
        assertEquals(7, q.resamples());
        assertEquals(dir.resolve("r"), study.report);
        assertTrue(ctx.output().contains("deep ensemble (2)"), ctx.output());
    }

    @Test
    void anMcDropoutVariantIsRefused() throws Exception {
        ModelSpec b = EvaluateCommandTest.spec();
        ModelSpec mcd = new ModelSpec(new ModelRef("toy-mcd", "1.0.0"), b.task(), b.name(), b.labels(),
                b.sampleRate(), b.frontEnd(), b.windowing(), b.inputName(), b.inputShape(), b.outputName(), 1, 30,
                1.0, b.provenance());
        CalibrationFakes.Context ctx = EvaluateCommandTest.context(dir, new CalibrationFakes.Repository(
                new CalibrationFakes.Model(mcd)), new CalibrationFakes.FakeCalibrator(), new CalibrationFakes.Charts(),
                true);
        ctx.with(CalibrationStudy.class, new FakeStudy());
        UsageException e = assertThrows(UsageException.class, () -> Cli.run(new StudyCommand(), List.of("--data",
                EvaluateCommandTest.descriptors(dir).toString()), ctx));
        assertTrue(e.getMessage().contains("MC-dropout variant"), e.getMessage());
    }
}
