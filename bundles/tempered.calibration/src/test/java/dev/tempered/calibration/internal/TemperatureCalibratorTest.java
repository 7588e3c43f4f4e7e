package dev.tempered.calibration.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.model.EnsembleOutput;
import java.lang.annotation.Annotation;
import java.util.List;
import org.junit.jupiter.api.Test;

class TemperatureCalibratorTest {
    private static final ModelRef MLP = new ModelRef("gtzan-mlp", "1.0.0");
    private static final List<String> LABELS = List.of("blues", "jazz", "rock");

    /** A configuration as ConfigAdmin would hand it over; null strings stand for unset properties. */
    static ModelCalibrationConfig config(String id, String version, String t, String min) {
        return new ModelCalibrationConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ModelCalibrationConfig.class;
            }

            @Override
            public String model_id() {
                return id;
            }

            @Override
            public String model_version() {
                return version;
            }

            @Override
            public String temperature() {
                return t;
            }

            @Override
            public String fitted_on() {
                return "test data";
            }

            @Override
            public String min_confidence() {
                return min;
            }
        };
    }

    private static EnsembleOutput output(float[]... members) {
        float[] flat = new float[members.length * members[0].length];
        for (int m = 0; m < members.length; m++) {
            System.arraycopy(members[m], 0, flat, m * members[0].length, members[0].length);
        }
        return new EnsembleOutput(MLP, 1, members.length, members[0].length, flat);
    }

    @Test
    void withoutConfigurationThePackageDefaultApplies() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        assertEquals(2.5, calibrator.temperature(MLP, 2.5));
        assertThrows(IllegalArgumentException.class, () -> calibrator.temperature(MLP, 0));
    }

    @Test
    void configurationOverridesTheDefaultAndEditsApplyAtOnce() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        ModelCalibration c = new ModelCalibration(config("gtzan-mlp", "", "3.1", ""));
        calibrator.addCalibration(c);
        assertEquals(3.1, calibrator.temperature(MLP, 2.5));
        assertEquals(2.5, calibrator.temperature(new ModelRef("other", "1"), 2.5));

        c.modified(config("gtzan-mlp", "", "1.7", ""));
        assertEquals(1.7, calibrator.temperature(MLP, 2.5));
        assertEquals(1.7, calibrator.apply(output(new float[] {1, 2, 3}), 0, LABELS, 2.5).temperature());

        calibrator.removeCalibration(c);
        assertEquals(2.5, calibrator.temperature(MLP, 2.5));
    }

    @Test
    void invalidTemperaturesAreRefusedAndThePreviousValueStays() {
        ModelCalibration c = new ModelCalibration(config("gtzan-mlp", "", "2.0", "0.6"));
        for (String bad : new String[] {"0", "-1", "NaN", "Infinity", "abc", "", null, "1e-320", "1e308", "0.001",
                "1000", "-Infinity"}) {
            c.modified(config("gtzan-mlp", "", bad, "0.6"));
            assertEquals(2.0, c.state().temperature(), "after '" + bad + "'");
        }
        c.modified(config("gtzan-mlp", "", "2.25", "0.6"));
        assertEquals(2.25, c.state().temperature());
        c.modified(config("gtzan-mlp", "", "0.01", "0.6"));
        assertEquals(0.01, c.state().temperature(), "the range's ends are accepted");
        c.modified(config("gtzan-mlp", "", "100", "0.6"));
        assertEquals(100, c.state().temperature(), "the range's ends are accepted");
        c.modified(config("gtzan-mlp", "", "2.25", "0.6"));
        assertEquals(0.6, c.state().minConfidence().getAsDouble());
        c.modified(config("gtzan-mlp", "", "2.25", "1.5"));
        assertEquals(0.6, c.state().minConfidence().getAsDouble());
    }

    @Test
    void policyThresholdComesFromTheSameConfiguration() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        assertTrue(calibrator.minConfidence(MLP).isEmpty());
        ModelCalibration c = new ModelCalibration(config("gtzan-mlp", "", "2.0", "0.7"));
        calibrator.addCalibration(c);
        assertEquals(0.7, calibrator.minConfidence(MLP).getAsDouble());
        c.modified(config("gtzan-mlp", "", "2.0", ""));
        assertTrue(calibrator.minConfidence(MLP).isEmpty(), "an emptied threshold falls back to the policy's");
    }

    @Test
    void aFirstInvalidTemperatureLeavesThePackageDefault() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        calibrator.addCalibration(new ModelCalibration(config("gtzan-mlp", "", "-3", "")));
        assertEquals(2.5, calibrator.temperature(MLP, 2.5));
    }

    @Test
    void aVersionSpecificConfigurationWinsOverTheIdAlone() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        calibrator.addCalibration(new ModelCalibration(config("gtzan-mlp", "", "3.0", "")));
        calibrator.addCalibration(new ModelCalibration(config("gtzan-mlp", "1.0.0", "4.0", "")));
        assertEquals(4.0, calibrator.temperature(MLP, 2.5));
        assertEquals(3.0, calibrator.temperature(new ModelRef("gtzan-mlp", "2.0.0"), 2.5));
    }

    @Test
    void applyScalesMembersBeforeAveraging() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        GenrePrediction p = calibrator.apply(output(new float[] {0, 0, (float) Math.log(4)},
                new float[] {(float) Math.log(4), 0, 0}), 0, LABELS, 1, 2);
        // softmax(z / 2) of member 0: (1, 1, 2) / 4; member 1: (2, 1, 1) / 4; mean (3, 2, 3) / 8.
        assertEquals(3.0 / 8, p.probabilities()[0], 1e-6);
        assertEquals(2.0 / 8, p.probabilities()[1], 1e-6);
        assertEquals("blues", p.topLabel());
        assertEquals(3.0 / 8, p.confidence(), 1e-6);
        double h = -(2 * 3.0 / 8 * Math.log(3.0 / 8) + 2.0 / 8 * Math.log(2.0 / 8));
        assertEquals(h, p.entropy(), 1e-6);
        double hMember = -(2 * 0.25 * Math.log(0.25) + 0.5 * Math.log(0.5));
        assertEquals(h - hMember, p.mutualInformation(), 1e-6);
        assertTrue(p.attribution().endsWith("T=2.0000"));
    }

    @Test
    void probabilitiesOfLabelledLogitsAreWhatApplyGivesRowByRow() {
        double[][][] z = {{{0, 0, Math.log(4)}, {Math.log(4), 0, 0}}, {{3, -1, 0.5}, {2, 2, -4}}};
        dev.tempered.api.calibration.LabelledLogits data = new dev.tempered.api.calibration.LabelledLogits(LABELS, z,
                new int[] {0, 1}, List.of("a", "b"));
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        double[][] p = calibrator.probabilities(data, 2);
        // The API's default (for other implementations) must agree with the real one, too.
        double[][] q = new dev.tempered.api.calibration.Calibrator() {
            @Override
            public double temperature(dev.tempered.api.ModelRef model, double packageDefault) {
                return packageDefault;
            }

            @Override
            public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault) {
                throw new UnsupportedOperationException();
            }

            @Override
            public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault,
                    double temperature) {
                throw new UnsupportedOperationException();
            }

            @Override
            public dev.tempered.api.calibration.TemperatureFit fit(dev.tempered.api.calibration.LabelledLogits d,
                    dev.tempered.api.calibration.CalibrationMethod method) {
                throw new UnsupportedOperationException();
            }
        }.probabilities(data, 2);
        for (int i = 0; i < z.length; i++) {
            float[][] members = new float[2][3];
            for (int m = 0; m < 2; m++) {
                for (int c = 0; c < 3; c++) {
                    members[m][c] = (float) z[i][m][c];
                }
            }
            double[] row = calibrator.apply(output(members), 0, LABELS, 1, 2).probabilities();
            for (int c = 0; c < 3; c++) {
                assertEquals(row[c], p[i][c], 1e-6);
                assertEquals(row[c], q[i][c], 1e-6);
            }
        }
        assertEquals(3.0 / 8, p[0][0], 1e-9);
    }

    @Test
    void identicalMembersHaveNoMutualInformation() {
        float[] z = {1, 2, 0.5f};
        GenrePrediction p = new TemperatureCalibrator().apply(output(z, z, z), 0, LABELS, 1, 1.5);
        assertEquals(0, p.mutualInformation(), 1e-12);
    }

    @Test
    void badArgumentsAreRejected() {
        TemperatureCalibrator calibrator = new TemperatureCalibrator();
        EnsembleOutput out = output(new float[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> calibrator.apply(out, 0, LABELS, 1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> calibrator.apply(out, 0, LABELS, 1, -1));
        assertThrows(IllegalArgumentException.class, () -> calibrator.apply(out, 0, List.of("a"), 1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> calibrator.apply(out, 1, LABELS, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> calibrator.apply(output(new float[] {1, Float.NaN, 3}), 0, LABELS, 1, 1));
    }
}
