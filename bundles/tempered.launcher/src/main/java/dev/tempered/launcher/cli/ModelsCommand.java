package dev.tempered.launcher.cli;

import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tempered models}: the installed model packages and which one is active per task. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"list installed model packages and the active one", "",
            "Lists the verified model packages: id, version, task, members (ensemble members, or members x MC",
            "dropout passes), the number of labels, the temperature in use (the calibrated one if a calibration",
            "is configured for that version, else the package's default) and whether the package is the active",
            "one for its task.", "",
            "Packages come from the application's models/ folder and from $TEMPERED_HOME/deploy/models (a folder",
            "holding model.json and its ONNX file, or a .zip of one); a package dropped there while Tempered runs",
            "is verified and installed without a restart. A package that fails verification is not listed; the",
            "log says why."})
public final class ModelsCommand implements TemperedCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Format { table, json }

    @Option(names = "--labels", description = "print each package's labels too")
    boolean labels;

    @Option(names = "--format", paramLabel = "FORMAT", description = "table (default) or json")
    Format format = Format.table;

    @Override
    public int run(CliContext context) throws Exception {
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
        if (format == Format.json) {
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

    private static void printJson(PrintStream out, List<Row> rows) throws IOException {
        ArrayNode list = JSON.createArrayNode();
        for (Row r : rows) {
            ModelSpec s = r.spec;
            ObjectNode o = list.addObject();
            o.put("id", s.ref().id());
            o.put("version", s.ref().version());
            o.put("task", s.task());
            o.put("name", s.name());
            o.put("members", s.members());
            o.put("mcDropoutPasses", s.mcDropoutPasses());
            s.labels().forEach(o.putArray("labels")::add);
            o.put("temperature", r.temperature);
            o.put("defaultTemperature", s.defaultTemperature());
            o.put("active", r.active);
        }
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(list));
    }
}
