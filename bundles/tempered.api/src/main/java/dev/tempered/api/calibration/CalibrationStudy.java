package dev.tempered.api.calibration;

import java.io.IOException;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The calibration study of Lukashevich, Grollmisch and Abeßer (2023) on one model's labelled logits: single
 * network vs MC dropout vs deep ensemble, uncalibrated and temperature-scaled, on a validation and a test part;
 * reliability diagrams, metrics against T, the gap between the validation- and test-optimal T, where to apply
 * T, and histogram binning and isotonic regression as baselines. Writes an HTML page, a markdown summary, CSVs
 * and PNG/SVG figures. Thread-safe.
 *
 * @since 1.1
 */
@ProviderType
public interface CalibrationStudy {
    /**
     * Runs the study and writes its report.
     *
     * @param report the folder for the page, summary, CSVs and figures (created; files in it are replaced)
     * @throws CalibrationException if a part is empty, has a single class, or a fit fails on it
     * @throws IOException          if the report cannot be written
     */
    StudyResult run(StudyRequest request, Path report) throws CalibrationException, IOException;
}
