package dev.tempered.calibration.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One model's calibration: a factory configuration of PID {@value ModelCalibration#FACTORY_PID}, one per
 * model id, e.g. the file {@code deploy/config/dev.tempered.calibration-gtzan-mlp.cfg}.
 */
@ObjectClassDefinition(name = "Tempered model calibration",
        description = "The temperature and policy thresholds of one model id; edits apply without restart.")
public @interface ModelCalibrationConfig {
    @AttributeDefinition(name = "Model id", description = "The model package id this applies to, e.g. gtzan-mlp")
    String model_id();

    @AttributeDefinition(name = "Model version", description = "Only this version; empty for every version")
    String model_version() default "";

    // Read as text: a FileInstall .cfg value is a string, and an unparsable one must be refused, not coerced to 0.
    @AttributeDefinition(name = "Temperature", description = "T > 0 dividing every member's logits (MEMBER_T)")
    String temperature();

    @AttributeDefinition(name = "Fitted on", description = "What T was fitted on, for reports and tags")
    String fitted_on() default "";

    @AttributeDefinition(name = "Minimum confidence",
            description = "Policy threshold in [0, 1] for writing the genre; empty for the tag policy's default")
    String min_confidence() default "";
}
