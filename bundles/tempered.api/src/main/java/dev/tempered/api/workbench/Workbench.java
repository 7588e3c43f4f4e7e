package dev.tempered.api.workbench;

import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.library.TagJobListener;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The one owner of labelled data for evaluate, calibrate and the calibration study: reads feature and logits CSVs
 * (RFC 4180, UTF-8 or Latin-1), skips the rows a package trained or fitted on, runs the model on feature rows,
 * and labels a folder of music by its folder names or genre tags through the library index (writing nothing to
 * the files). Every error names the file, and for a CSV the line and column.
 */
@ProviderType
public interface Workbench {
    /**
     * Loads labelled logits for the request's model.
     *
     * @param listener progress of the analysis when {@code data} is a folder of music
     * @throws TemperedException for data that cannot be read or used (named file, line and cause), an unknown
     *                           model, or labels that are not the model's
     */
    LabelledData load(LabelledDataRequest request, TagJobListener listener) throws TemperedException;

    /**
     * Writes labelled logits as a logits CSV ({@code file,label,m0_<class>,...}, member-major), which
     * {@link #load} reads back without the model. The file is replaced whole, never written through a link.
     */
    void writeLogits(LabelledLogits logits, Path file) throws TemperedException;
}
