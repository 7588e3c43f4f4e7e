package dev.tempered.launcher.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.analysis.TrackAnalyzer.Outcome;
import dev.tempered.api.calibration.GenrePrediction;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tempered analyze}: the calibrated genre distribution of audio files. */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = {"print the calibrated genre distribution of audio files", "",
            "Decodes each file (several windows across a long track), runs the model's ensemble, applies its",
            "current temperature and prints the calibrated genre distribution, the top genre with its",
            "confidence, and the uncertainty: predictive entropy and the mutual information between ensemble",
            "members (their disagreement), both in nats."},
        footer = {"%nA file that fails is reported on stderr and the others go on; exit status 1 then.",
            "Example: tempered analyze --format json song.mp3 album/*.flac"})
public final class AnalyzeCommand implements TemperedCommand {
    /** Files analysed per call, so results appear as they come while windows are still batched. */
    private static final int CHUNK = 8;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    enum Format { table, json }

    @Option(names = "--model", paramLabel = "ID", description = "use this installed model (default: the active genre model)")
    String model;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json (one JSON document on stdout)")
    Format format = Format.table;

    @Option(names = "--all", description = "print every class, not just the top 5")
    boolean all;

    @Option(names = "--features", description = {"with --format json: each window's vector too (the convnet's",
        "160-value embedding, or a descriptor model's descriptors), named, and their mean"})
    boolean features;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "audio files")
    List<Path> files = new ArrayList<>();

    @Override
    public int run(CliContext context) throws Exception {
        if (files.isEmpty()) {
            throw new UsageException("no files given");
        }
        if (features && format != Format.json) {
            throw new UsageException("--features needs --format json");
        }
        TrackAnalyzer analyzer = context.service(TrackAnalyzer.class, Duration.ofSeconds(30));
        PrintStream out = context.out();
        boolean json = format == Format.json;
        int failed = 0;
        // One JSON document streamed file by file, so results appear while later files are analysed.
        // The generator must not close the command's stdout.
        JsonGenerator gen = json ? JSON.getFactory().createGenerator(out)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET).useDefaultPrettyPrinter() : null;
        if (gen != null) {
            gen.writeStartObject();
            gen.writeArrayFieldStart("files");
        }
        for (int i = 0; i < files.size(); i += CHUNK) {
            List<Path> chunk = new ArrayList<>();
            List<Outcome> missing = new ArrayList<>();
            for (Path f : files.subList(i, Math.min(files.size(), i + CHUNK))) {
                // Missing files are caught here so the message is plain and the service never sees them.
                if (!Files.isRegularFile(f)) {
                    missing.add(new Outcome(f, null, new TemperedException(f,
                            Files.exists(f) ? "not a regular file" : "no such file")));
                    chunk.add(null);
                } else {
                    chunk.add(f.toAbsolutePath().normalize());
                }
            }
            List<Path> present = chunk.stream().filter(java.util.Objects::nonNull).toList();
            List<Outcome> results = present.isEmpty() ? List.of() : analyzer.analyzeAll(present, model);
            int r = 0;
            int m = 0;
            for (Path f : chunk) {
                Outcome o = f == null ? missing.get(m++) : results.get(r++);
                if (o.failure() != null) {
                    failed++;
                    context.err().println("tempered analyze: " + o.failure().getMessage());
                    if (gen != null) {
                        ObjectNode e = JSON.createObjectNode();
                        e.put("file", o.file().toString());
                        e.put("error", o.failure().getMessage());
                        gen.writeTree(e);
                    }
                } else if (gen != null) {
                    gen.writeTree(json(o.analysis(), features));
                } else {
                    table(out, o.analysis(), all);
                }
                if (gen != null) {
                    gen.flush();
                }
                out.flush();
            }
        }
        if (gen != null) {
            gen.writeEndArray();
            gen.writeNumberField("failed", failed);
            gen.writeEndObject();
            gen.close();
            out.println();
        }
        return failed == 0 ? OK : SOME_FAILED;
    }

    /** Label indices by decreasing probability. */
    static int[] ranked(GenrePrediction p) {
        double[] probs = p.probabilities();
        return IntStream.range(0, probs.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -probs[c]))
                .mapToInt(Integer::intValue).toArray();
    }

    private static void table(PrintStream out, TrackAnalysis a, boolean all) {
        GenrePrediction p = a.prediction();
        double[] probs = p.probabilities();
        out.println(a.file());
        if (a.audio() != null) {
            out.printf(Locale.ROOT, "  %s/%s, %.1f s, %d window%s%n", a.audio().container(), a.audio().codec(),
                    a.audio().durationSeconds(), a.windows().size(), a.windows().size() == 1 ? "" : "s");
        }
        out.printf(Locale.ROOT, "  genre: %s  confidence %.1f%%%n", p.topLabel(), 100 * p.confidence());
        out.printf(Locale.ROOT, "  uncertainty: entropy %.3f nats (max %.3f), mutual information %.4f nats%n",
                p.entropy(), Math.log(probs.length), p.mutualInformation());
        int[] order = ranked(p);
        int n = all ? order.length : Math.min(5, order.length);
        for (int k = 0; k < n; k++) {
            int c = order[k];
            int bar = (int) Math.round(probs[c] * 30);
            out.printf(Locale.ROOT, "  %-12s %6.1f%% %s%n", p.labels().get(c), 100 * probs[c], "#".repeat(bar));
        }
        TrackAnalysis.Timings t = a.timings();
        out.printf(Locale.ROOT, "  model %s  (decode %d ms, features %d ms, inference %d ms)%n%n",
                p.attribution(), t.decodeNanos() / 1_000_000, t.featuresNanos() / 1_000_000,
                t.inferenceNanos() / 1_000_000);
    }

    /** One file's result as JSON: the distribution in decreasing probability, windows, timings, vectors. */
    static ObjectNode json(TrackAnalysis a, boolean features) {
        GenrePrediction p = a.prediction();
        ObjectNode o = JSON.createObjectNode();
        o.put("file", a.file().toString());
        if (a.audio() != null) {
            o.put("format", a.audio().container());
            o.put("codec", a.audio().codec());
            num(o, "durationSeconds", a.audio().durationSeconds());
        }
        o.put("model", p.model().toString());
        num(o, "temperature", p.temperature());
        o.put("genre", p.topLabel());
        num(o, "confidence", p.confidence());
        num(o, "entropy", p.entropy());
        num(o, "mutualInformation", p.mutualInformation());
        ObjectNode dist = o.putObject("distribution");
        double[] probs = p.probabilities();
        for (int c : ranked(p)) {
            num(dist, p.labels().get(c), probs[c]);
        }
        ArrayNode windows = o.putArray("windows");
        for (GenrePrediction wp : a.windows()) {
            ObjectNode w = windows.addObject();
            w.put("genre", wp.topLabel());
            num(w, "confidence", wp.confidence());
            num(w, "mutualInformation", wp.mutualInformation());
        }
        TrackAnalysis.Timings t = a.timings();
        ObjectNode timings = o.putObject("timingsMs");
        timings.put("decode", t.decodeNanos() / 1e6);
        timings.put("features", t.featuresNanos() / 1e6);
        timings.put("inference", t.inferenceNanos() / 1e6);
        if (features) {
            o.set("features", vectors(a.vectors()));
        }
        return o;
    }

    /** Non-finite numbers become null: JSON has no NaN. */
    private static void num(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    /** {@code {"names": [...], "windows": [[...]], "mean": [...]}}, or null when the analysis kept none. */
    private static com.fasterxml.jackson.databind.JsonNode vectors(TrackAnalysis.Vectors v) {
        float[][] rows = v.rows();
        if (v.names().isEmpty() || rows.length == 0) {
            return com.fasterxml.jackson.databind.node.NullNode.getInstance();
        }
        ObjectNode o = JSON.createObjectNode();
        ArrayNode names = o.putArray("names");
        v.names().forEach(names::add);
        ArrayNode windows = o.putArray("windows");
        double[] mean = new double[v.names().size()];
        for (float[] row : rows) {
            ArrayNode w = windows.addArray();
            for (int i = 0; i < row.length; i++) {
                w.add(row[i]);
                mean[i] += row[i] / (double) rows.length;
            }
        }
        ArrayNode m = o.putArray("mean");
        for (double x : mean) {
            m.add(x);
        }
        return o;
    }
}
