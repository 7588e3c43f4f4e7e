package dev.tempered.launcher.cli;

import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.training.ModelTrainer;
import dev.tempered.api.training.TrainingListener;
import dev.tempered.api.training.TrainingRequest;
import dev.tempered.api.training.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tempered train}: prints what the {@link ModelTrainer} service trained and measured. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"train a calibrated genre model of your own labels on your own labelled music", "",
            "Every labelled track under --data is embedded with the backbone package's convnet (through the",
            "library index: embeddings are cached by content hash and backbone, so a retrain decodes nothing",
            "again), a deep ensemble of small MLP heads is trained on the embeddings, the temperature T is",
            "fitted by NLL on one held-out part, and the model is measured on another held-out part (accuracy,",
            "NLL, ECE, MAE with 95 % bootstrap intervals, and a reliability diagram). The package (backbone and",
            "heads in one ONNX graph, model.json with data, label counts, split, seeds and metrics) goes into",
            "the watched models folder, where the running application verifies and installs it: use it with",
            "`tempered analyze --model ID` or `tag --model ID`.", "",
            "Labels: --labels-from folders takes the first folder under --data (Jazz/Album/01.flac is Jazz);",
            "--labels-from tags takes each file's genre tag (never one Tempered wrote). Any names will do.", "",
            "Splits do not leak: tracks are grouped by album folder (the folder holding them), and no album",
            "is in two parts. Per label, its albums are shuffled with --seed and dealt out: holdout/2 of them",
            "to fitting T, as many to testing, the rest to training. So each label needs tracks in at least 3",
            "album folders; 80 tracks a label (16 per held-out part, what the calibration study fitted T on per",
            "genre) make figures you can trust. Files that fail to decode are listed and left out.", "",
            "The same --seed on the same data writes the same package, byte for byte."})
public final class TrainCommand implements TemperedCommand {
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "a folder of labelled music")
    Path data;

    @Option(names = "--labels-from", required = true, paramLabel = "folders|tags",
            description = "where labels come from: folders or tags")
    String labelsFrom;

    @Option(names = "--labels-map", paramLabel = "FILE",
            description = "lines 'name = label': only these names are used, under these labels")
    Path labelsMap;

    @Option(names = "--id", required = true, paramLabel = "ID", description = "the new package's id")
    String id;

    @Option(names = "--members", paramLabel = "N", description = "heads in the deep ensemble (default 5)")
    int members = 5;

    @Option(names = "--seed", paramLabel = "N", description = "seed of split, initialisation and bootstrap (default 1)")
    long seed = 1;

    @Option(names = "--holdout", paramLabel = "F",
            description = "fraction of albums held out, half for T, half for the test (default 0.4)")
    double holdout = 0.4;

    @Option(names = "--epochs", paramLabel = "N", description = "passes over the training part per head (default 200)")
    int epochs = 200;

    @Option(names = "--hidden", paramLabel = "N", description = "hidden units per head (default 64)")
    int hidden = 64;

    @Option(names = "--backbone", paramLabel = "ID",
            description = "the installed package whose embedding is learned from (default choi-gtzan)")
    String backbone = TrainingRequest.DEFAULT_BACKBONE;

    @Option(names = "--output", paramLabel = "DIR",
            description = "where the package folder goes (default $TEMPERED_HOME/deploy/models, the watched folder)")
    Path output;

    @Option(names = "--report", paramLabel = "DIR", description = "also write the reliability diagram as a PNG here")
    Path report;

    @Option(names = "--mc-dropout", description = {"train the MC-dropout variant instead of a deep ensemble: one head",
        "with dropout 0.5 kept active at inference, run --passes times per window with fresh",
        "random masks (so its figures vary a little from run to run; --seed fixes the training)"})
    boolean mcDropout;

    @Option(names = "--passes", paramLabel = "N", description = "MC-dropout passes per window (default 30, 2..100)")
    int passes = 30;

    @Override
    public int run(CliContext context) throws Exception {
        LabelSource source = switch (labelsFrom.toLowerCase(Locale.ROOT)) {
            case "folders" -> LabelSource.FOLDERS;
            case "tags" -> LabelSource.TAGS;
            default -> throw new UsageException("--labels-from must be folders or tags, not '" + labelsFrom + "'");
        };
        TrainingRequest request;
        try {
            request = new TrainingRequest(data, source, labelsMap == null ? Map.of() : readMap(labelsMap), id,
                    backbone, members, seed, holdout, epochs, hidden, Optional.ofNullable(output),
                    Optional.ofNullable(report), mcDropout ? passes : 0);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        ModelTrainer trainer = context.service(ModelTrainer.class, Duration.ofSeconds(30));
        PrintStream out = context.out();
        PrintStream err = context.err();
        AtomicBoolean stop = new AtomicBoolean();
        TrainingResult r;
        try (StopSignals signals = StopSignals.install(() -> stop.set(true))) {
            r = trainer.train(request, new TrainingListener() {
                @Override
                public void stage(String description) {
                    err.println(description);
                }

                @Override
                public void embedded(int done, int total, Path file, boolean cached, Duration eta) {
                    err.printf(Locale.ROOT, "  %d/%d  ETA %d:%02d  %s%n", done, total, eta.toMinutes(),
                            eta.toSecondsPart(), file.getFileName());
                }

                @Override
                public void warning(String message) {
                    err.println("warning: " + message);
                }

                @Override
                public boolean cancelled() {
                    return stop.get();
                }
            });
        } catch (TemperedException e) {
            err.println("tempered train: " + e.getMessage());
            return USAGE;
        }
        print(out, r);
        return r.failures().isEmpty() ? OK : SOME_FAILED;
    }

    static void print(PrintStream out, TrainingResult r) {
        out.println();
        out.println("Trained " + r.model() + ": " + String.join(", ", r.labels()));
        out.println("  tracks per label: " + new java.util.TreeMap<>(r.labelCounts()));
        out.println("  split: train " + r.split().get("train") + "; calibration " + r.split().get("calibration")
                + "; test " + r.split().get("test"));
        out.println("  " + r.split().get("grouping"));
        out.printf(Locale.ROOT, "  embeddings: %d decoded, %d from the cache (%.1f s); training and calibration %.1f s%n",
                r.embedded(), r.cached(), r.embedSeconds(), r.trainSeconds());
        out.printf(Locale.ROOT, "  T = %.4f, fitted by NLL on the calibration part%n", r.temperature());
        out.println();
        out.println("Test part (analysis windows), 95 % bootstrap intervals:");
        out.printf(Locale.ROOT, "  %-9s %-24s %-24s%n", "", "T = 1", String.format(Locale.ROOT, "T = %.4f",
                r.temperature()));
        for (Metric m : List.of(Metric.ACCURACY, Metric.NLL, Metric.ECE, Metric.MAE)) {
            out.printf(Locale.ROOT, "  %-9s %-24s %-24s%n", m.name().toLowerCase(Locale.ROOT),
                    cell(r.uncalibrated().get(m)), cell(r.calibrated().get(m)));
        }
        out.println();
        out.println("Reliability diagram (test part, at T): confidence bin, windows, accuracy vs confidence");
        for (ReliabilityDiagram.Bin b : r.reliability().bins()) {
            if (b.count() == 0) {
                continue;
            }
            int bar = (int) Math.round(b.accuracy() * 40);
            int mark = (int) Math.round(b.confidence() * 40);
            StringBuilder s = new StringBuilder();
            for (int i = 0; i <= 40; i++) {
                s.append(i == mark ? '|' : i < bar ? '#' : ' ');
            }
            out.printf(Locale.ROOT, "  %.2f-%.2f %5d  %s acc %.2f conf %.2f%n", b.lower(), b.upper(), b.count(), s,
                    b.accuracy(), b.confidence());
        }
        r.diagram().ifPresent(p -> out.println("  figure: " + p));
        if (!r.failures().isEmpty()) {
            out.println();
            out.println(r.failures().size() + " files could not be used:");
            r.failures().forEach((f, why) -> out.println("  " + f + ": " + why));
        }
        out.println();
        out.println("Package: " + r.packageDir() + " (installed by the running application as it appears; use it "
                + "with --model " + r.model().id() + ")");
    }

    private static String cell(MetricValue v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.3f (%.3f-%.3f)", v.value(), v.lower(), v.upper());
    }

    /** Lines {@code name = label}; blank lines and lines starting with # are skipped. */
    static Map<String, String> readMap(Path file) throws UsageException {
        Map<String, String> map = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UsageException("cannot read the labels map " + file + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || eq == line.length() - 1) {
                throw new UsageException(file + " line " + (i + 1) + ": expected 'name = label', got '" + line + "'");
            }
            map.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return map;
    }
}
