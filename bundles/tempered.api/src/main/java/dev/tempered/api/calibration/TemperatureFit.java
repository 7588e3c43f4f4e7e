package dev.tempered.api.calibration;

import java.util.List;

/**
 * The result of fitting calibration parameters by minimising NLL.
 *
 * @param method      how the parameters are applied
 * @param temperature the fitted global T (for {@link CalibrationMethod#PER_MEMBER_T} and
 *                    {@link CalibrationMethod#VECTOR_SCALING}, the geometric mean of the per-member or
 *                    per-class values); &gt; 0
 * @param parameters  all fitted values: one T per member, or T then bias per class; {@code [temperature]} for
 *                    the single-T methods
 * @param nllBefore   mean NLL at T = 1, nats per sample
 * @param nllAfter    mean NLL with the fitted parameters
 * @param samples     rows the fit used
 */
public record TemperatureFit(CalibrationMethod method, double temperature, List<Double> parameters, double nllBefore,
        double nllAfter, int samples) {
    public TemperatureFit {
        parameters = List.copyOf(parameters);
    }
}
