package dev.tempered.api.calibration;

/**
 * The calibration and accuracy measures Tempered reports. All take calibrated probabilities
 * {@code [n][classes]} and true class indices; "confidence" is the top-label probability.
 */
public enum Metric {
    /** Fraction of rows whose top label is the true class; higher is better. */
    ACCURACY,
    /** Mean negative log-likelihood of the true class, nats; lower is better. */
    NLL,
    /** Mean over rows of the sum over classes of (p - onehot)^2, in [0, 2]; lower is better. */
    BRIER,
    /** Expected calibration error over equal-width confidence bins: sum over bins of (n_b / n) |acc_b - conf_b|. */
    ECE,
    /** ECE over equal-mass bins (each bin holds about n / bins rows). */
    ECE_EQUAL_MASS,
    /** Maximum calibration error: the largest |acc_b - conf_b| over non-empty equal-width bins. */
    MCE,
    /** Classwise ECE: for each class, the ECE of p(class) against the class indicator, averaged over classes. */
    CLASSWISE_ECE,
    /**
     * The reliability-diagram MAE of the 2023 paper: the unweighted mean of |acc_b - conf_b| over the non-empty
     * equal-width bins (unlike ECE, each bin counts the same whatever its size).
     */
    MAE
}
