package dev.tempered.shell.internal;

import dev.tempered.api.calibration.TemperatureSettings;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ActionResult;
import dev.tempered.api.plugin.PluginAction;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.training.ModelTrainer;
import dev.tempered.api.training.TrainingRequest;
import dev.tempered.api.training.TrainingResult;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The {@code tempered:} Gogo commands. They are a console host: analyse, tag and recalibrate run the same
 * {@link PluginAction} services a desktop host shows as menu items.
 */
@Component(service = TemperedCommands.class, property = {"osgi.command.scope=tempered",
    "osgi.command.function=analyse", "osgi.command.function=analyze", "osgi.command.function=tag",
    "osgi.command.function=models", "osgi.command.function=use", "osgi.command.function=temperature",
    "osgi.command.function=train"})
public final class TemperedCommands {
    private final List<PluginAction> actions = new CopyOnWriteArrayList<>();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ModelRepository repository;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Calibrator calibrator;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile TemperatureSettings store;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ModelTrainer trainer;

    public TemperedCommands() {
        // DS fills the references.
    }

    TemperedCommands(List<PluginAction> actions, ModelRepository repository, Calibrator calibrator,
            TemperatureSettings store) {
        this.actions.addAll(actions);
        this.repository = repository;
        this.calibrator = calibrator;
        this.store = store;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAction(PluginAction action) {
        actions.add(action);
    }

    void removeAction(PluginAction action) {
        actions.remove(action);
    }

    @Descriptor("Print the calibrated genre of audio files (folders: every audio file under them) with the active"
            + " model: genre, confidence, entropy and mutual information (nats), top candidates, model and T")
    public String analyse(@Descriptor("audio files or folders") String... files) throws TemperedException {
        return run(AnalyzeAction.ID, files);
    }

    @Descriptor("Same as analyse")
    public String analyze(@Descriptor("audio files or folders") String... files) throws TemperedException {
        return analyse(files);
    }

    @Descriptor("Analyse audio files and write calibrated genre tags: the genre where the confidence reaches the"
            + " model's threshold (min.confidence, default 0.5), else only Tempered's fields marked for review")
    public String tag(@Descriptor("audio files or folders") String... files) throws TemperedException {
        return run(TagAction.ID, files);
    }

    @Descriptor("List the installed model packages; * marks the active one of its task, with its temperature")
    public String models() {
        ModelRepository repo = need(repository, "ModelRepository");
        StringBuilder sb = new StringBuilder();
        List<ModelSpec> installed = repo.installed();
        if (installed.isEmpty()) {
            return "no model packages installed";
        }
        for (ModelSpec s : installed) {
            boolean active = repo.active(s.task()).map(a -> a.ref().equals(s.ref())).orElse(false);
            sb.append(active ? "* " : "  ").append(String.format(Locale.ROOT, "%-28s %-6s T=%-8s %s%n",
                    s.ref(), s.task(), temperatureText(s), s.name()));
        }
        return sb.toString().stripTrailing();
    }

    @Descriptor("Make an installed model the active one of its task; the next analysis uses it")
    public String use(@Descriptor("model id, or id@version (default: the highest installed version)") String model)
            throws TemperedException {
        ModelRepository repo = need(repository, "ModelRepository");
        ModelSpec s = model.contains("@") ? repo.activate(ModelRef.parse(model).id(), ModelRef.parse(model).version())
                : repo.activate(model, null);
        return "active " + s.task() + " model: " + s.ref() + " (" + s.name() + "), T=" + temperatureText(s);
    }

    @Descriptor("Show the temperature of every installed model (configured, else the package default)")
    public String temperature() {
        return models();
    }

    @Descriptor("Change a temperature: 'temperature set T [MODEL]', 'temperature fit FILE...' (fit the active"
            + " model's T on files whose genre tags are the truth), 'temperature reset [MODEL]' (back to the package"
            + " default). MODEL is id or id@version, default the active genre model. Applies to the next analysis.")
    public String temperature(@Descriptor("set, fit or reset") String command,
            @Descriptor("T [MODEL] for set; files or folders for fit; [MODEL] for reset") String... args)
            throws TemperedException {
        switch (command) {
            case "set" -> {
                if (args.length < 1 || args.length > 2) {
                    throw new IllegalArgumentException("usage: temperature set T [MODEL]");
                }
                double t;
                try {
                    t = Double.parseDouble(args[0]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a number: " + args[0]);
                }
                ModelSpec s = model(args.length == 2 ? args[1] : null);
                boolean applied = TemperatureChange.apply(need(store, "ConfigurationAdmin"),
                        need(calibrator, "Calibrator"), s.ref(), s.defaultTemperature(), t, "set by hand");
                return s.ref() + ": T=" + temperatureText(s) + (applied ? "" : " (stored; not applied yet)");
            }
            case "fit" -> {
                return run(RecalibrateAction.ID, args);
            }
            case "reset" -> {
                ModelSpec s = model(args.length == 1 ? args[0] : null);
                boolean had = need(store, "ConfigurationAdmin").reset(s.ref());
                TemperatureChange.awaitTemperature(need(calibrator, "Calibrator"), s.ref(), s.defaultTemperature(),
                        s.defaultTemperature());
                return s.ref() + ": T=" + temperatureText(s) + (had ? " (package default)" : " (was not configured)");
            }
            default -> throw new IllegalArgumentException("unknown: temperature " + command + " (set, fit, reset)");
        }
    }

    @Descriptor("Train a calibrated model on a folder whose sub-folders are the labels (tracks grouped by album folder,"
            + " no album on two sides); the package goes into the watched models folder and is installed as it appears")
    public String train(@Descriptor("the folder of labelled music") String folder,
            @Descriptor("the new package's id") String id) throws TemperedException {
        TrainingResult r = need(trainer, "ModelTrainer").train(TrainingRequest.of(Path.of(folder), LabelSource.FOLDERS,
                id), TrainAction.listener(new ConsoleMonitor(System.out)));
        return TrainAction.summary(r);
    }

    private ModelSpec model(String text) throws TemperedException {
        ModelRepository repo = need(repository, "ModelRepository");
        if (text == null) {
            return repo.active("genre").orElseThrow(() -> new TemperedException(null, "no genre model is active"));
        }
        Optional<ModelSpec> found = repo.installed().stream().filter(s -> text.contains("@")
                ? s.ref().equals(ModelRef.parse(text)) : s.ref().id().equals(text))
                .max((a, b) -> a.ref().version().compareTo(b.ref().version()));
        return found.orElseThrow(() -> new TemperedException(null, "no installed model " + text));
    }

    private String temperatureText(ModelSpec s) {
        Calibrator c = calibrator;
        double t = c == null ? s.defaultTemperature() : c.temperature(s.ref(), s.defaultTemperature());
        return String.format(Locale.ROOT, "%.4f", t);
    }

    private String run(String actionId, String[] files) throws TemperedException {
        if (files.length == 0) {
            throw new IllegalArgumentException("name at least one audio file or folder");
        }
        PluginAction action = actions.stream().filter(a -> a.id().equals(actionId)).findFirst()
                .orElseThrow(() -> new TemperedException(null, "the " + actionId + " action is not available: a"
                        + " service it needs is missing (see scr:list)"));
        List<Path> selection = Selection.expand(Arrays.stream(files).map(Path::of).toList());
        if (!action.enabled()) {
            throw new TemperedException(null, action.label() + " is not possible now (is a model active?)");
        }
        ActionResult result = action.run(selection, new ConsoleMonitor(System.out));
        return TextTable.render(result, Set.of());
    }

    private static <T> T need(T service, String name) {
        if (service == null) {
            throw new IllegalStateException("no " + name + " service: the bundle providing it is missing or stopped");
        }
        return service;
    }

    /** Prints a line per file; the console has no cancel button, Ctrl-C interrupts the thread. */
    private record ConsoleMonitor(PrintStream out) implements ProgressMonitor {
        @Override
        public void progress(int done, int total, String message) {
            if (!message.isEmpty()) {
                out.printf("[%d/%d] %s%n", done + 1, total, message);
            }
        }

        @Override
        public boolean isCancelled() {
            return Thread.currentThread().isInterrupted();
        }
    }
}
