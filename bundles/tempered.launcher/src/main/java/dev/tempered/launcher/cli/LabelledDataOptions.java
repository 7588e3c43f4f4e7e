package dev.tempered.launcher.cli;

import dev.tempered.api.TemperedException;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.workbench.LabelledData;
import dev.tempered.api.workbench.LabelledDataRequest;
import dev.tempered.api.workbench.Workbench;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options of evaluate, calibrate and study that name a model and its labelled data, for the Workbench. */
final class LabelledDataOptions {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String TASK = "genre";

    @Option(names = "--model", paramLabel = "ID", description = "an installed model (default: the active genre model)")
    String model;

    @Option(names = "--data", required = true, paramLabel = "FILE|DIR", description = {
        "labelled logits (CSV: file,label,m0_<class>,...,m<M-1>_<class>),",
        "a feature CSV (filename, label, the model's feature or embedding columns),",
        "or with --labels-from a folder of your own music"})
    Path data;

    @Option(names = "--labels-from", paramLabel = "folders|tags", description = {
        "--data is a folder of music; each file's true genre is its folder",
        "name or genre tag (analysed through the library index; nothing written)"})
    String labelsFrom;

    @Option(names = "--labels-map", paramLabel = "FILE",
            description = "lines 'name = label' mapping your genre names onto the model's labels")
    Path labelsMap;

    @Option(names = "--all-rows", description = {"keep the rows the package lists as its training or validation",
        "data (provenance trainFiles / validationFiles); figures are then optimistic"})
    boolean allRows;

    /** The labels source, after checking the options go together. */
    LabelSource source() throws UsageException {
        if (labelsFrom == null) {
            if (labelsMap != null) {
                throw new UsageException("--labels-map goes with --labels-from");
            }
            if (Files.isDirectory(data)) {
                throw new UsageException(data + " is a folder: add --labels-from folders or --labels-from tags to"
                        + " take its files' true genres from their folder names or genre tags");
            }
            if (!Files.isRegularFile(data)) {
                throw new UsageException("no such file: " + data);
            }
            return null;
        }
        LabelSource source = switch (labelsFrom.toLowerCase(Locale.ROOT)) {
            case "folders" -> LabelSource.FOLDERS;
            case "tags" -> LabelSource.TAGS;
            default -> throw new UsageException("--labels-from must be folders or tags, not '" + labelsFrom + "'");
        };
        if (!Files.isDirectory(data)) {
            throw new UsageException("--labels-from needs --data to be a folder of music, not " + data);
        }
        if (labelsMap != null && !Files.isRegularFile(labelsMap)) {
            throw new UsageException("no such file: " + labelsMap);
        }
        return source;
    }

    /** The named model (highest installed version), or the active genre model. */
    ModelSpec spec(ModelRepository repository) throws UsageException {
        return resolve(repository, model);
    }

    static ModelSpec resolve(ModelRepository repository, String id) throws UsageException {
        if (id == null) {
            return repository.active(TASK).orElseThrow(() -> new UsageException(
                    "no active " + TASK + " model: install one or name it with --model ID"));
        }
        try (ModelLease lease = repository.lease(id, null)) {
            return lease.model().spec();
        } catch (InferenceException e) {
            List<String> ids = repository.installed().stream().map(s -> s.ref().toString()).toList();
            throw new UsageException("model '" + id + "' is not installed (installed: "
                    + (ids.isEmpty() ? "none" : String.join(", ", ids)) + ")");
        }
    }

    /** Loads the data for a model through the Workbench service, with progress on stderr for a folder of music. */
    LabelledData load(CliContext context, ModelSpec spec, boolean keepAllRows) throws Exception {
        LabelSource source = source();
        Workbench workbench = context.service(Workbench.class, WAIT);
        TagJobConsole.Console console = new TagJobConsole.Console(context.err(), context.interactive());
        try {
            return workbench.load(new LabelledDataRequest(data, spec.ref(), source, labelsMap, keepAllRows || allRows),
                    console);
        } catch (TemperedException e) {
            throw new UsageException(e.getMessage());
        } finally {
            console.clear();
        }
    }

    /** The options again, for a command line the user can copy ("To apply it: tempered calibrate ..."). */
    String repeat() {
        return "--data " + data + (labelsFrom == null ? "" : " --labels-from " + labelsFrom.toLowerCase(Locale.ROOT)
                + (labelsMap == null ? "" : " --labels-map " + labelsMap));
    }
}
