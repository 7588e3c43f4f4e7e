package dev.tempered.api.workbench;

import dev.tempered.api.ModelRef;
import dev.tempered.api.library.LabelSource;
import java.nio.file.Path;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What labelled data to load, and for which model.
 *
 * @param data       a logits CSV ({@code file,label,m0_<class>,...}), a feature CSV (the model's descriptor or
 *                   embedding columns by name), or, with {@code labelsFrom}, a folder of music
 * @param model      the installed model whose logits are wanted (its provenance decides which rows are skipped)
 * @param labelsFrom where a folder's true labels come from; {@code null} when {@code data} is a CSV
 * @param labelsMap  a file of {@code name = label} lines mapping the user's names onto the model's labels
 * @param allRows    keep the rows the package lists as its training or validation data (figures are then
 *                   optimistic); otherwise they are skipped, and the validation rows are returned apart
 */
public record LabelledDataRequest(Path data, ModelRef model, @Nullable LabelSource labelsFrom,
        @Nullable Path labelsMap, boolean allRows) {
    public LabelledDataRequest {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(model, "model");
    }
}
