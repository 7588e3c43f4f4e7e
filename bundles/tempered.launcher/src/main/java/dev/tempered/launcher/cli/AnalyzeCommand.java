package dev.tempered.launcher.cli;

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

/** {@code tempered analyze}: the calibrated genre distribution of audio files. */
public final class AnalyzeCommand implements Subcommand {
    /** Files analysed per call, so results appear as they come while windows are still batched. */
    private static final int CHUNK = 8;

    @Override
    public String name() {
        return "analyze";
    }

    @Override
    public String summary() {
        return "print the calibrated genre distribution of audio files";
    }

    @Override
    public String usage() {
        return """
                Usage: tempered analyze [--model ID] [--format table|json] [--all] [--features] FILE...

                Decodes each file (several windows across a long track), runs the model's ensemble,
                applies its current temperature and prints the calibrated genre distribution, the top
                genre with its confidence, and the uncertainty: predictive entropy and the mutual
                information between ensemble members (their disagreement), both in nats.

                Options:
                  --model ID        use this installed model (default: the active genre model)
                  --format FORMAT   table (default) or json (one JSON document on stdout)
                  --all             print every class, not just the top 5
                  --features        with --format json: each window's vector too (the convnet's 160-value
                                    embedding, or a descriptor model's descriptors), named, and their mean

                A file that fails is reported on stderr and the others go on; exit status 1 then.
                Example: tempered analyze --format json song.mp3 album/*.flac""";
    }

    @Override
    public int run(List<String> args, CliContext context) throws Exception {
        String model = null;
        String format = "table";
        boolean all = false;
        boolean features = false;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--model" -> model = value(args, ++i, a);
                case "--format" -> {
                    format = value(args, ++i, a);
                    if (!format.equals("table") && !format.equals("json")) {
                        throw new UsageException("--format must be table or json, not '" + format + "'");
                    }
                }
                case "--all" -> all = true;
                case "--features" -> features = true;
                case "--" -> {
                    args.subList(i + 1, args.size()).forEach(s -> files.add(Path.of(s)));
                    i = args.size();
                }
                default -> {
                    if (a.startsWith("-") && a.length() > 1) {
                        throw new UsageException("unknown option " + a);
                    }
                    files.add(Path.of(a));
                }
            }
        }
        if (files.isEmpty()) {
            throw new UsageException("no files given");
        }
        if (features && !format.equals("json")) {
            throw new UsageException("--features needs --format json");
        }
        TrackAnalyzer analyzer = context.service(TrackAnalyzer.class, Duration.ofSeconds(30));
        PrintStream out = context.out();
        boolean json = format.equals("json");
        int failed = 0;
        boolean first = true;
        if (json) {
            out.println("{\"files\": [");
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
                    if (json) {
                        out.print((first ? "" : ",\n") + "  {\"file\": " + Json.str(o.file().toString())
                                + ", \"error\": " + Json.str(o.failure().getMessage()) + "}");
                        first = false;
                    }
                } else if (json) {
                    out.print((first ? "" : ",\n") + json(o.analysis(), features));
                    first = false;
                } else {
                    table(out, o.analysis(), all);
                }
                out.flush();
            }
        }
        if (json) {
            out.println("\n], \"failed\": " + failed + "}");
        }
        return failed == 0 ? OK : SOME_FAILED;
    }

    static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
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

    static String json(TrackAnalysis a) {
        return json(a, false);
    }

    static String json(TrackAnalysis a, boolean features) {
        GenrePrediction p = a.prediction();
        StringBuilder sb = new StringBuilder("  {\"file\": ").append(Json.str(a.file().toString()));
        if (a.audio() != null) {
            sb.append(", \"format\": ").append(Json.str(a.audio().container())).append(", \"codec\": ")
                    .append(Json.str(a.audio().codec())).append(", \"durationSeconds\": ")
                    .append(Json.num(a.audio().durationSeconds()));
        }
        sb.append(",\n   \"model\": ").append(Json.str(p.model().toString())).append(", \"temperature\": ")
                .append(Json.num(p.temperature()));
        sb.append(",\n   \"genre\": ").append(Json.str(p.topLabel())).append(", \"confidence\": ")
                .append(Json.num(p.confidence())).append(", \"entropy\": ").append(Json.num(p.entropy()))
                .append(", \"mutualInformation\": ").append(Json.num(p.mutualInformation()));
        sb.append(",\n   \"distribution\": ").append(Json.distribution(p));
        sb.append(",\n   \"windows\": [");
        for (int w = 0; w < a.windows().size(); w++) {
            GenrePrediction wp = a.windows().get(w);
            sb.append(w == 0 ? "" : ", ").append("{\"genre\": ").append(Json.str(wp.topLabel()))
                    .append(", \"confidence\": ").append(Json.num(wp.confidence()))
                    .append(", \"mutualInformation\": ").append(Json.num(wp.mutualInformation())).append('}');
        }
        TrackAnalysis.Timings t = a.timings();
        sb.append("],\n   \"timingsMs\": {\"decode\": ").append(Json.num(t.decodeNanos() / 1e6))
                .append(", \"features\": ").append(Json.num(t.featuresNanos() / 1e6)).append(", \"inference\": ")
                .append(Json.num(t.inferenceNanos() / 1e6)).append('}');
        if (features) {
            sb.append(",\n   \"features\": ").append(vectors(a.vectors()));
        }
        return sb.append('}').toString();
    }

    /** {@code {"names": [...], "windows": [[...]], "mean": [...]}}, or null when the analysis kept none. */
    private static String vectors(TrackAnalysis.Vectors v) {
        float[][] rows = v.rows();
        if (v.names().isEmpty() || rows.length == 0) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("{\"names\": [");
        for (int i = 0; i < v.names().size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(Json.str(v.names().get(i)));
        }
        double[] mean = new double[v.names().size()];
        sb.append("],\n    \"windows\": [");
        for (int w = 0; w < rows.length; w++) {
            sb.append(w == 0 ? "[" : ",\n      [");
            for (int i = 0; i < rows[w].length; i++) {
                sb.append(i == 0 ? "" : ", ").append(Json.num(rows[w][i]));
                mean[i] += rows[w][i] / (double) rows.length;
            }
            sb.append(']');
        }
        sb.append("],\n    \"mean\": [");
        for (int i = 0; i < mean.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(Json.num(mean[i]));
        }
        return sb.append("]}").toString();
    }

    /** Just enough JSON writing for results: the launcher carries no JSON library. */
    static final class Json {
        private Json() {
        }

        static String str(String s) {
            if (s == null) {
                return "null";
            }
            StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    case '\b' -> sb.append("\\b");
                    case '\f' -> sb.append("\\f");
                    default -> {
                        if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            return sb.append('"').toString();
        }

        static String num(double v) {
            if (!Double.isFinite(v)) {
                return "null";
            }
            if (v == Math.rint(v) && Math.abs(v) < 1e15) {
                return Long.toString((long) v);
            }
            return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2")
                    .replace(".e", "e").replaceAll("\\.$", "");
        }

        /** {@code {"label": p, ...}} in decreasing probability. */
        static String distribution(GenrePrediction p) {
            double[] probs = p.probabilities();
            StringBuilder sb = new StringBuilder("{");
            int[] order = ranked(p);
            for (int k = 0; k < order.length; k++) {
                sb.append(k == 0 ? "" : ", ").append(str(p.labels().get(order[k]))).append(": ")
                        .append(num(probs[order[k]]));
            }
            return sb.append('}').toString();
        }
    }
}
