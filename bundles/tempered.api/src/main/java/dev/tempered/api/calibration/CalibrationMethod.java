package dev.tempered.api.calibration;

/** Where and how a temperature is applied to an ensemble's logits. */
public enum CalibrationMethod {
    /** One T divides every member's logits before their softmax outputs are averaged (the default). */
    MEMBER_T,
    /** Members' probabilities are averaged first; one T then scales the log of the average (pool-then-calibrate). */
    POOLED_T,
    /** One T per member, each fitted on that member alone, before averaging. */
    PER_MEMBER_T,
    /** One T and one bias per class, on the averaged log-probabilities (vector scaling). */
    VECTOR_SCALING
}
