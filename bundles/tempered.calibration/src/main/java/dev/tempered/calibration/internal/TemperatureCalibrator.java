package dev.tempered.calibration.internal;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.model.EnsembleOutput;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Temperature scaling with per-model temperatures from {@link ModelCalibration} configurations. A
 * configuration naming a version applies only to it and wins over one naming the id alone; without either,
 * the package's default temperature applies. Configurations for models that are not installed are simply
 * kept until such a model is asked about.
 */
@Component(service = Calibrator.class)
public final class TemperatureCalibrator implements Calibrator {
    private final Set<ModelCalibration> calibrations = ConcurrentHashMap.newKeySet();

    @Activate
    public TemperatureCalibrator() {
        // Configurations arrive through addCalibration, before and after activation.
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addCalibration(ModelCalibration calibration) {
        calibrations.add(calibration);
    }

    public void removeCalibration(ModelCalibration calibration) {
        calibrations.remove(calibration);
    }

    @Override
    public double temperature(ModelRef model, double packageDefault) {
        checkTemperature(packageDefault, "package default temperature of " + model);
        double generic = Double.NaN;
        for (ModelCalibration c : calibrations) {
            ModelCalibration.State s = c.state();
            if (s.matches(model) && !Double.isNaN(s.temperature())) {
                if (!s.version().isEmpty()) {
                    return s.temperature();
                }
                generic = s.temperature();
            }
        }
        return Double.isNaN(generic) ? packageDefault : generic;
    }

    @Override
    public OptionalDouble minConfidence(ModelRef model) {
        OptionalDouble generic = OptionalDouble.empty();
        for (ModelCalibration c : calibrations) {
            ModelCalibration.State s = c.state();
            if (s.matches(model) && s.minConfidence().isPresent()) {
                if (!s.version().isEmpty()) {
                    return s.minConfidence();
                }
                generic = s.minConfidence();
            }
        }
        return generic;
    }

    @Override
    public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault) {
        return apply(output, row, labels, packageDefault, temperature(output.model(), packageDefault));
    }

    @Override
    public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault,
            double temperature) {
        checkTemperature(temperature, "temperature");
        if (labels.size() != output.classes()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + output.classes() + " classes");
        }
        if (row < 0 || row >= output.batch()) {
            throw new IndexOutOfBoundsException("row " + row + " of " + output.batch());
        }
        return predict(output.model(), output.row(row), labels, temperature);
    }

    @Override
    public double[][] probabilities(LabelledLogits data, double temperature) {
        checkTemperature(temperature, "temperature");
        double[][][] z = data.logits();
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            p[i] = Softmax.memberMean(z[i], temperature);
        }
        return p;
    }

    /** MEMBER_T: members' softmax(z / T) averaged; mutual information from the same member distributions. */
    static GenrePrediction predict(ModelRef model, double[][] members, List<String> labels, double temperature) {
        int classes = labels.size();
        double[] mean = new double[classes];
        double[] p = new double[classes];
        double memberEntropy = 0;
        for (double[] z : members) {
            for (double v : z) {
                if (!Double.isFinite(v)) {
                    throw new IllegalArgumentException(model + " produced a non-finite logit (" + v + ")");
                }
            }
            Softmax.probabilities(z, temperature, p);
            memberEntropy += Softmax.entropy(p);
            for (int c = 0; c < classes; c++) {
                mean[c] += p[c];
            }
        }
        for (int c = 0; c < classes; c++) {
            mean[c] /= members.length;
        }
        double mi = Softmax.entropy(mean) - memberEntropy / members.length;
        return GenrePrediction.of(model, temperature, labels, mean, mi);
    }

    @Override
    public TemperatureFit fit(LabelledLogits data, CalibrationMethod method) throws CalibrationException {
        return TemperatureFitter.fit(data, method);
    }

    private static void checkTemperature(double t, String what) {
        if (!(t > 0) || Double.isInfinite(t)) {
            throw new IllegalArgumentException(what + " must be a positive finite number: " + t);
        }
    }
}
