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
    /**
     * Below this many labelled rows (analysis windows) a fitted temperature is not to be trusted: on 17 files a fit
     * gave T = 5.8, far from every fit on a few hundred windows, because a handful of confident mistakes decide it.
     *
     * @since 1.2
     */
    public static final int FEW_SAMPLES = 100;

    public TemperatureFit {
        parameters = List.copyOf(parameters);
    }

    /**
     * Why this fit should not be trusted yet, or an empty string: fitted on fewer than {@link #FEW_SAMPLES} rows.
     *
     * @since 1.2
     */
    public String warning() {
        return samples >= FEW_SAMPLES ? "" : "fitted on only " + samples + " labelled window(s); with fewer than "
                + FEW_SAMPLES + " the temperature is dominated by a few confident mistakes and can be far off: label"
                + " more music (a few hundred windows) before relying on it";
    }
}
