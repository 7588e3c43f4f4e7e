package dev.tempered.launcher.cli;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.CalibrationCharts;
import dev.tempered.api.calibration.CalibrationException;
import dev.tempered.api.calibration.CalibrationMethod;
import dev.tempered.api.calibration.CalibrationMetrics;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.calibration.Metric;
import dev.tempered.api.calibration.MetricValue;
import dev.tempered.api.calibration.ReliabilityDiagram;
import dev.tempered.api.calibration.TemperatureFit;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hand-written stand-ins for the framework's services, just enough for the evaluate and calibrate commands. */
final class CalibrationFakes {
    static final List<String> LABELS = List.of("blues", "jazz", "rock");
    static final List<String> FEATURES = List.of("f0", "f1", "f2");

    private CalibrationFakes() {
    }

    static ModelSpec spec(String frontEnd, double defaultT, List<String> train, List<String> validation) {
        return new ModelSpec(new ModelRef("toy", "1.0.0"), "genre", "toy model", LABELS, 22050, frontEnd,
                new ModelSpec.Windowing(30, 1, "mean-probability"), "features", List.of(-1L, 3L), "logits", 2, 0,
                defaultT, Map.of("trainFiles", train, "validationFiles", validation));
    }

    /** Two members; member m's logits are (1 + m) * 2 * x, so features pick the class. */
    static final class Model implements EnsembleModel {
        final ModelSpec spec;
        final List<float[]> seen = new ArrayList<>();

        Model(ModelSpec spec) {
            this.spec = spec;
        }

        @Override
        public ModelSpec spec() {
            return spec;
        }

        @Override
        public EnsembleOutput run(float[][] inputs) throws InferenceException {
            float[] out = new float[inputs.length * 2 * 3];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i].length != 3) {
                    throw new InferenceException("want 3 inputs, got " + inputs[i].length, null);
                }
                seen.add(inputs[i].clone());
                for (int m = 0; m < 2; m++) {
                    for (int c = 0; c < 3; c++) {
                        out[(i * 2 + m) * 3 + c] = (1 + m) * 2 * inputs[i][c];
                    }
                }
            }
            return new EnsembleOutput(spec.ref(), inputs.length, 2, 3, out);
        }
    }

    static final class Repository implements ModelRepository {
        final Model model;
        int leases;

        Repository(Model model) {
            this.model = model;
        }

        @Override
        public List<ModelSpec> installed() {
            return List.of(model.spec);
        }

        @Override
        public Optional<ModelSpec> active(String task) {
            return Optional.of(model.spec);
        }

        @Override
        public ModelLease lease(String task) {
            return lease(model.spec.ref().id(), null);
        }

        @Override
        public ModelLease lease(String id, String version) {
            if (!id.equals(model.spec.ref().id())) {
                throw new IllegalStateException("use the checked variant");
            }
            leases++;
            return new ModelLease() {
                @Override
                public EnsembleModel model() {
                    return model;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public ModelSpec install(Path pkg) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean uninstall(ModelRef ref) {
            return false;
        }

        @Override
        public ModelSpec activate(String id, String version) {
            return model.spec;
        }
    }

    /** Repository whose lease of an unknown id fails as the real one does. */
    static final class StrictRepository implements ModelRepository {
        final Repository inner;

        StrictRepository(Repository inner) {
            this.inner = inner;
        }

        @Override
        public List<ModelSpec> installed() {
            return inner.installed();
        }

        @Override
        public Optional<ModelSpec> active(String task) {
            return inner.active(task);
        }

        @Override
        public ModelLease lease(String task) throws InferenceException {
            return inner.lease(task);
        }

        @Override
        public ModelLease lease(String id, String version) throws InferenceException {
            if (!id.equals(inner.model.spec.ref().id())) {
                throw new InferenceException("no model " + id, null);
            }
            return inner.lease(id, version);
        }

        @Override
        public ModelSpec install(Path pkg) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean uninstall(ModelRef ref) {
            return false;
        }

        @Override
        public ModelSpec activate(String id, String version) {
            return inner.activate(id, version);
        }
    }

    /**
     * MEMBER_T temperature scaling; the temperature comes from a field or, like the application with FileInstall,
     * from the .cfg file under home once one exists.
     */
    /**
     * The calibration store as the commands see it: stores into the fake calibrator at once (or, with
     * {@code applies} false, never, as when the application has not delivered it yet) and records the T replaced.
     */
    static final class Settings implements dev.tempered.api.calibration.TemperatureSettings {
        final FakeCalibrator calibrator;
        final double packageDefault;
        boolean applies = true;
        double stored = Double.NaN;
        double previous = Double.NaN;
        String fittedOn;

        Settings(FakeCalibrator calibrator, double packageDefault) {
            this.calibrator = calibrator;
            this.packageDefault = packageDefault;
        }

        @Override
        public void setTemperature(ModelRef model, double temperature, String fittedOn) {
            previous = calibrator.temperature(model, packageDefault);
            stored = temperature;
            this.fittedOn = fittedOn;
            if (applies) {
                calibrator.configured = temperature;
            }
        }

        @Override
        public boolean reset(ModelRef model) {
            return false;
        }

        @Override
        public java.util.OptionalDouble minConfidence(ModelRef model) {
            return java.util.OptionalDouble.empty();
        }

        @Override
        public java.util.OptionalDouble previousTemperature(ModelRef model) {
            return !Double.isNaN(previous) && calibrator.configured == stored ? java.util.OptionalDouble.of(previous)
                    : java.util.OptionalDouble.empty();
        }
    }

    static final class FakeCalibrator implements Calibrator {
        double configured = Double.NaN;
        CalibrationMethod lastMethod;
        /** When set, fit returns it (with the asked method) instead of fitting one temperature. */
        TemperatureFit fixedFit;

        @Override
        public double temperature(ModelRef model, double packageDefault) {
            return Double.isNaN(configured) ? packageDefault : configured;
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault) {
            return apply(output, row, labels, packageDefault, temperature(output.model(), packageDefault));
        }

        @Override
        public GenrePrediction apply(EnsembleOutput output, int row, List<String> labels, double packageDefault,
                double temperature) {
            return GenrePrediction.of(output.model(), temperature, labels, memberMean(output.row(row), temperature), 0);
        }

        @Override
        public TemperatureFit fit(LabelledLogits data, CalibrationMethod method) throws CalibrationException {
            lastMethod = method;
            if (fixedFit != null) {
                return new TemperatureFit(method, fixedFit.temperature(), fixedFit.parameters(), fixedFit.nllBefore(),
                        fixedFit.nllAfter(), fixedFit.samples());
            }
            int[] y = data.truth();
            if (java.util.Arrays.stream(y).distinct().count() < 2) {
                throw new CalibrationException("every row has the same true class");
            }
            double best = 1;
            for (double logT = -3; logT <= 3; logT += 0.001) {
                if (nll(data, Math.exp(logT)) < nll(data, best)) {
                    best = Math.exp(logT);
                }
            }
            return new TemperatureFit(method, best, List.of(best), nll(data, 1), nll(data, best), y.length);
        }

        static double nll(LabelledLogits data, double t) {
            double[][][] z = data.logits();
            int[] y = data.truth();
            double s = 0;
            for (int i = 0; i < z.length; i++) {
                s -= Math.log(memberMean(z[i], t)[y[i]]);
            }
            return s / z.length;
        }

        static double[] memberMean(double[][] members, double t) {
            double[] mean = new double[members[0].length];
            for (double[] z : members) {
                double sum = 0;
                double[] e = new double[z.length];
                for (int c = 0; c < z.length; c++) {
                    e[c] = Math.exp(z[c] / t);
                    sum += e[c];
                }
                for (int c = 0; c < z.length; c++) {
                    mean[c] += e[c] / sum / members.length;
                }
            }
            return mean;
        }
    }

    /** Accuracy and NLL computed; every other metric reported as 0, with a fixed interval of +-0.01. */
    static final class Metrics implements CalibrationMetrics {
        @Override
        public double compute(Metric metric, double[][] p, int[] truth, int bins) {
            double s = 0;
            for (int i = 0; i < truth.length; i++) {
                int top = 0;
                for (int c = 1; c < p[i].length; c++) {
                    top = p[i][c] > p[i][top] ? c : top;
                }
                s += metric == Metric.ACCURACY ? (top == truth[i] ? 1 : 0)
                        : metric == Metric.NLL ? -Math.log(p[i][truth[i]]) : 0;
            }
            return s / truth.length;
        }

        @Override
        public Map<Metric, MetricValue> evaluate(double[][] p, int[] truth, int bins, int resamples, double level,
                long seed) {
            Map<Metric, MetricValue> out = new EnumMap<>(Metric.class);
            for (Metric m : Metric.values()) {
                double v = compute(m, p, truth, bins);
                out.put(m, resamples == 0 ? new MetricValue(m, v, v, v) : new MetricValue(m, v, v - 0.01, v + 0.01));
            }
            return out;
        }

        @Override
        public ReliabilityDiagram reliability(double[][] p, int[] truth, int bins) {
            return new ReliabilityDiagram(List.of());
        }
    }

    /** Records what was drawn and writes a one-line file per chart. */
    static final class Charts implements CalibrationCharts {
        final List<String> calls = new ArrayList<>();

        @Override
        public void reliability(double[][] p, int[] truth, int bins, String title, Path file) throws IOException {
            calls.add("reliability " + file.getFileName() + " " + title);
            Files.writeString(file, title);
        }

        @Override
        public Map<String, Double> sweep(Map<String, LabelledLogits> data, Metric metric, int bins, double minT,
                double maxT, double marked, String title, Path file) throws IOException {
            calls.add("sweep " + file.getFileName() + " " + metric + " marked " + marked + " " + data.keySet());
            Files.writeString(file, title);
            return Map.of();
        }
    }

    static final class Front implements FrontEnd {
        private final List<String> names;

        Front(List<String> names) {
            this.names = names;
        }

        @Override
        public String type() {
            return "librosa-descriptors";
        }

        @Override
        public int sampleRate() {
            return 22050;
        }

        @Override
        public List<String> featureNames() {
            return names;
        }

        @Override
        public float[][] compute(dev.tempered.api.audio.DecodedAudio audio) {
            throw new UnsupportedOperationException();
        }
    }

    static final class Context implements CliContext {
        final Map<Class<?>, List<Object>> services = new java.util.HashMap<>();
        final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);
        final Path home;

        Context(Path home) {
            this.home = home;
        }

        <T> Context with(Class<T> type, T service) {
            services.computeIfAbsent(type, k -> new ArrayList<>()).add(service);
            return this;
        }

        @Override
        public <T> T service(Class<T> type, Duration wait) throws UsageException {
            if (type == dev.tempered.api.workbench.Workbench.class && services(type).isEmpty()
                    && !services(ModelRepository.class).isEmpty()) {
                // The real workbench over the fakes: the commands' data loading is what they are tested with.
                List<dev.tempered.api.library.CollectionTagger> taggers =
                        services(dev.tempered.api.library.CollectionTagger.class);
                with(dev.tempered.api.workbench.Workbench.class,
                        new dev.tempered.library.internal.LabelledDataWorkbench(services(ModelRepository.class).get(0),
                                taggers.isEmpty() ? null : taggers.get(0), services(FrontEnd.class)));
            }
            if (type == dev.tempered.api.calibration.Evaluator.class && services(type).isEmpty()
                    && !services(Calibrator.class).isEmpty()) {
                // The real evaluator over the fake calibrator, metrics and charts.
                with(dev.tempered.api.calibration.Evaluator.class, new dev.tempered.calibration.internal.ModelEvaluator(
                        services(Calibrator.class).get(0), services(CalibrationMetrics.class).get(0),
                        services(CalibrationCharts.class).get(0)));
            }
            List<T> all = services(type);
            if (all.isEmpty()) {
                throw new UsageException("no " + type.getSimpleName());
            }
            return all.get(0);
        }

        @Override
        public <T> List<T> services(Class<T> type) {
            return services.getOrDefault(type, List.of()).stream().map(type::cast).toList();
        }

        @Override
        public PrintStream out() {
            return out;
        }

        @Override
        public PrintStream err() {
            return err;
        }

        @Override
        public Path home() {
            return home;
        }

        @Override
        public Path appDir() {
            return home;
        }

        @Override
        public boolean interactive() {
            return false;
        }

        String output() {
            return outBytes.toString(StandardCharsets.UTF_8);
        }

        String errors() {
            return errBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
