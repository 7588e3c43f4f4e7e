package dev.tempered.launcher.cli;

import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code tempered models}: the installed model packages and which one is active per task. */
public final class ModelsCommand implements Subcommand {
    @Override
    public String name() {
        return "models";
    }

    @Override
    public String summary() {
        return "list installed model packages and the active one";
    }

    @Override
    public String usage() {
        return """
                Usage: tempered models [--labels] [--format table|json]

                Lists the verified model packages: id, version, task, members (ensemble members, or
                members x MC dropout passes), the number of labels, the temperature in use (the
                calibrated one if a calibration is configured for that version, else the package's
                default) and whether the package is the active one for its task.

                Packages come from the application's models/ folder and from $TEMPERED_HOME/deploy/models
                (a folder holding model.json and its ONNX file, or a .zip of one); a package dropped
                there while Tempered runs is verified and installed without a restart. A package that
                fails verification is not listed; the log says why.

                Options:
                  --labels          print each package's labels too
                  --format FORMAT   table (default) or json""";
    }

    @Override
    public int run(List<String> args, CliContext context) throws Exception {
        boolean labels = false;
        String format = "table";
        for (int i = 0; i < args.size(); i++) {
            switch (args.get(i)) {
                case "--labels" -> labels = true;
                case "--format" -> {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--format needs a value");
                    }
                    format = args.get(++i);
                    if (!format.equals("table") && !format.equals("json")) {
                        throw new UsageException("--format must be table or json, not '" + format + "'");
                    }
                }
                default -> throw new UsageException("unknown argument " + args.get(i));
            }
        }
        ModelRepository repository = context.service(ModelRepository.class, Duration.ofSeconds(10));
        Optional<Calibrator> calibrator = context.services(Calibrator.class).stream().findFirst();
        List<Row> rows = new ArrayList<>();
        for (ModelSpec s : repository.installed()) {
            boolean active = repository.active(s.task()).map(a -> a.ref().equals(s.ref())).orElse(false);
            double t = calibrator.map(c -> c.temperature(s.ref(), s.defaultTemperature()))
                    .orElse(s.defaultTemperature());
            rows.add(new Row(s, t, active));
        }
        rows.sort(Comparator.comparing((Row r) -> r.spec.task()).thenComparing(r -> r.spec.ref().id())
                .thenComparing(r -> r.spec.ref().version()));
        PrintStream out = context.out();
        if (format.equals("json")) {
            printJson(out, rows);
        } else if (rows.isEmpty()) {
            context.err().println("No model packages are installed. Put one in " + context.home().resolve("deploy")
                    .resolve("models") + " or in " + context.appDir().resolve("models") + ".");
        } else {
            printTable(out, rows, labels);
        }
        return OK;
    }

    private record Row(ModelSpec spec, double temperature, boolean active) {
        String members() {
            if (spec.mcDropoutPasses() > 0) {
                return spec.members() + "x" + spec.mcDropoutPasses() + " MC";
            }
            // A graph that draws its dropout passes itself declares them as members.
            return "mc-dropout".equals(spec.provenance().get("method")) ? "1x" + spec.members() + " MC"
                    : Integer.toString(spec.members());
        }
    }

    private static void printTable(PrintStream out, List<Row> rows, boolean labels) {
        String[] head = {"ID", "VERSION", "TASK", "MEMBERS", "LABELS", "TEMPERATURE", "ACTIVE", "NAME"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Row r : rows) {
            cells.add(new String[] {r.spec.ref().id(), r.spec.ref().version(), r.spec.task(), r.members(),
                    Integer.toString(r.spec.labels().size()), String.format(Locale.ROOT, "%.4f", r.temperature),
                    r.active ? "yes" : "", r.spec.name()});
        }
        int[] width = new int[head.length];
        for (String[] c : cells) {
            for (int i = 0; i < c.length; i++) {
                width[i] = Math.max(width[i], c[i].length());
            }
        }
        for (String[] c : cells) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < c.length; i++) {
                sb.append(i == c.length - 1 ? c[i] : String.format("%-" + (width[i] + 2) + "s", c[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
        if (labels) {
            for (Row r : rows) {
                out.println();
                out.println(r.spec.ref() + " labels: " + String.join(", ", r.spec.labels()));
            }
        }
    }

    private static void printJson(PrintStream out, List<Row> rows) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            ModelSpec s = r.spec;
            sb.append(i == 0 ? "\n" : ",\n").append("  {\"id\": ").append(quote(s.ref().id()))
                    .append(", \"version\": ").append(quote(s.ref().version()))
                    .append(", \"task\": ").append(quote(s.task()))
                    .append(", \"name\": ").append(quote(s.name()))
                    .append(", \"members\": ").append(s.members())
                    .append(", \"mcDropoutPasses\": ").append(s.mcDropoutPasses())
                    .append(", \"labels\": [");
            for (int j = 0; j < s.labels().size(); j++) {
                sb.append(j == 0 ? "" : ", ").append(quote(s.labels().get(j)));
            }
            sb.append("], \"temperature\": ").append(r.temperature)
                    .append(", \"defaultTemperature\": ").append(s.defaultTemperature())
                    .append(", \"active\": ").append(r.active).append('}');
        }
        out.println(sb.append(rows.isEmpty() ? "]" : "\n]"));
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
