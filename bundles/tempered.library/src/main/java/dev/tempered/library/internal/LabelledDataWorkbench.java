package dev.tempered.library.internal;

import com.fasterxml.jackson.databind.SequenceWriter;
import dev.tempered.api.ModelRef;
import dev.tempered.api.TemperedException;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.library.CollectionTagger;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.workbench.LabelledData;
import dev.tempered.api.workbench.LabelledDataRequest;
import dev.tempered.api.workbench.Workbench;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The workbench: labelled logits from a logits CSV, a feature CSV run through the model, or a labelled folder of
 * music analysed through the collection tagger's index.
 */
@Component(service = Workbench.class)
public final class LabelledDataWorkbench implements Workbench {
    static final int BATCH = 64;
    private final ModelRepository repository;
    private final CollectionTagger tagger;
    private final FrontEnds frontEnds = new FrontEnds();

    @Activate
    public LabelledDataWorkbench(@Reference ModelRepository repository, @Reference CollectionTagger tagger) {
        this.repository = repository;
        this.tagger = tagger;
    }

    /** For tests outside the framework: the front ends that name a descriptor model's feature columns. */
    public LabelledDataWorkbench(ModelRepository repository, CollectionTagger tagger, Collection<FrontEnd> frontEnds) {
        this(repository, tagger);
        frontEnds.forEach(this.frontEnds::add);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addFrontEnd(FrontEnd frontEnd) {
        frontEnds.add(frontEnd);
    }

    void removeFrontEnd(FrontEnd frontEnd) {
        frontEnds.remove(frontEnd);
    }

    @Override
    public LabelledData load(LabelledDataRequest request, TagJobListener listener) throws TemperedException {
        ModelSpec spec = spec(request.model());
        if (request.labelsFrom() != null) {
            return folder(request, spec, listener);
        }
        if (Files.isDirectory(request.data())) {
            throw new TemperedException(request.data(), "a folder: say where its files' true genres come from "
                    + "(labels from folders or tags)");
        }
        if (!Files.isRegularFile(request.data())) {
            throw new TemperedException(request.data(), "no such file");
        }
        if (request.labelsMap() != null) {
            throw new TemperedException(request.labelsMap(), "a labels map goes with labels from folders or tags");
        }
        return csv(request.data(), spec, request.allRows());
    }

    private ModelSpec spec(ModelRef ref) throws TemperedException {
        return repository.installed().stream().filter(s -> s.ref().equals(ref)).findFirst()
                .orElseThrow(() -> new TemperedException(null, "model " + ref + " is not installed"));
    }

    private LabelledData folder(LabelledDataRequest request, ModelSpec spec, TagJobListener listener)
            throws TemperedException {
        if (!Files.isDirectory(request.data())) {
            throw new TemperedException(request.data(), "labels from folders or tags need a folder of music");
        }
        if (request.labelsMap() != null && !Files.isRegularFile(request.labelsMap())) {
            throw new TemperedException(request.labelsMap(), "no such file");
        }
        // The analysis first (a dry run, writing nothing), for the names that map onto no label: before, files
        // under such folders were left out without a word. The second pass finds every file up to date.
        dev.tempered.api.library.TagJobSummary run = tagger.tag(new dev.tempered.api.library.TagJobRequest(
                List.of(request.data()), spec.ref().id(), true, dev.tempered.api.tag.TagPolicy.defaults(), 0, null,
                request.labelsFrom(), request.labelsMap(), false), listener);
        LabelledLogits logits = tagger.labelled(List.of(request.data()), spec.ref().id(), request.labelsFrom(),
                request.labelsMap(), TagJobListener.NONE);
        long files = logits.rowNames().stream().distinct().count();
        String how = request.labelsFrom() == LabelSource.FOLDERS ? "folder names" : "genre tags";
        String left = run.unmappedLabels().isEmpty() ? "" : String.format(Locale.ROOT, "; left out, because their %s "
                + "map onto none of %s's labels (a labels map can map them): %s", how, spec.ref(),
                run.unmappedLabels());
        return new LabelledData(logits, Optional.empty(), logits.size(), 0, 0, true, String.format(Locale.ROOT,
                "%d analysis windows of %d files labelled by their %s", logits.size(), files, how) + left);
    }

    LabelledData csv(Path file, ModelSpec spec, boolean allRows) throws TemperedException {
        CsvTable table = CsvTable.read(file);
        Set<String> train = allRows ? Set.of() : names(spec.provenance().get("trainFiles"));
        Set<String> validation = allRows ? Set.of() : names(spec.provenance().get("validationFiles"));
        boolean logitCsv = List.of(table.header()).stream().anyMatch(h -> h.trim().matches("m\\d+_.+"));
        int nameCol = table.column(file, "filename", "file");
        Predicate<String> trained = name -> contains(train, name);
        Predicate<String> fitted = name -> contains(validation, name);
        List<Integer> kept = new ArrayList<>();
        List<Integer> heldOut = new ArrayList<>();
        int skippedTrain = 0;
        for (int r = 0; r < table.rows().size(); r++) {
            String name = table.rows().get(r)[nameCol].trim();
            if (trained.test(name)) {
                skippedTrain++;
            } else if (fitted.test(name)) {
                heldOut.add(r);
            } else {
                kept.add(r);
            }
        }
        if (kept.isEmpty()) {
            throw new TemperedException(file, "no rows left (" + table.rows().size() + " read, " + skippedTrain
                    + " used for training and " + heldOut.size() + " for fitting the temperature skipped; keep "
                    + "them with all rows)");
        }
        LabelledLogits logits;
        Optional<LabelledLogits> validationLogits = Optional.empty();
        if (logitCsv) {
            logits = fromLogits(file, table, spec, kept);
            if (!heldOut.isEmpty()) {
                validationLogits = Optional.of(fromLogits(file, table, spec, heldOut));
            }
        } else {
            // One lease for the whole CSV: for a model that is not active each lease opens (and verifies) a session.
            try (ModelLease lease = repository.lease(spec.ref().id(), spec.ref().version())) {
                logits = fromFeatures(file, table, spec, lease.model(), kept);
                if (!heldOut.isEmpty()) {
                    // The package's own validation rows give the second curve of the sweeps (the paper's point:
                    // the T best on validation is not the T best on test).
                    validationLogits = Optional.of(fromFeatures(file, table, spec, lease.model(), heldOut));
                }
            } catch (InferenceException e) {
                throw new TemperedException(file, "model " + spec.ref() + " failed: " + e.getMessage(), e);
            }
        }
        String s = String.format(Locale.ROOT, "%d of %d rows used", logits.size(), table.rows().size());
        if (skippedTrain + heldOut.size() > 0) {
            s += String.format(Locale.ROOT, "; skipped %d the package trained on and %d it fitted its "
                    + "temperature on", skippedTrain, heldOut.size());
        }
        if (!logitCsv) {
            s += "; logits computed by running the model on the CSV's feature columns";
        }
        if (!table.charset().equals(StandardCharsets.UTF_8)) {
            s += "; read as Latin-1 (not UTF-8)";
        }
        return new LabelledData(logits, validationLogits, table.rows().size(), skippedTrain, heldOut.size(),
                !logitCsv, s);
    }

    private static boolean contains(Set<String> names, String name) {
        if (names.isEmpty()) {
            return false;
        }
        Path p = Path.of(name).getFileName();
        return names.contains(name) || (p != null && names.contains(p.toString()));
    }

    private static Set<String> names(Object list) {
        Set<String> out = new HashSet<>();
        if (list instanceof Collection<?> c) {
            for (Object o : c) {
                out.add(String.valueOf(o));
            }
        }
        return out;
    }

    private static int truth(String label, ModelSpec spec, Path file, int line) throws TemperedException {
        int y = spec.labels().indexOf(label.trim());
        if (y < 0) {
            throw new TemperedException(file, "line " + line + ": label '" + label + "' is not one of " + spec.ref()
                    + "'s labels " + spec.labels());
        }
        return y;
    }

    /** A finite number, else an error naming the line and column: NaN would otherwise be blamed on the model. */
    private static double number(String cell, Path file, int line, String column) throws TemperedException {
        double v;
        try {
            v = Double.parseDouble(cell.trim());
        } catch (NumberFormatException e) {
            throw new TemperedException(file, "line " + line + ": '" + cell + "' in column " + column.trim()
                    + " is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new TemperedException(file, "line " + line + ": '" + cell.trim() + "' in column " + column.trim()
                    + " is not a finite number");
        }
        return v;
    }

    private static LabelledLogits fromLogits(Path file, CsvTable table, ModelSpec spec, List<Integer> rows)
            throws TemperedException {
        String[] header = table.header();
        int fileCol = table.column(file, "file", "filename");
        int labelCol = table.column(file, "label");
        List<Integer> cols = new ArrayList<>();
        int members = 0;
        List<String> classes = new ArrayList<>();
        int perMember = Math.max(1, spec.labels().size());
        for (int i = 0; i < header.length; i++) {
            String h = header[i].trim();
            if (h.matches("m\\d+_.+")) {
                int us = h.indexOf('_');
                int m = Integer.parseInt(h.substring(1, us));
                if (m == 0) {
                    classes.add(h.substring(us + 1));
                }
                int expectedMember = cols.size() / perMember;
                if (m != expectedMember) {
                    throw new TemperedException(file, "logit column " + h + " out of order; expected member "
                            + expectedMember + " (columns are member-major)");
                }
                members = Math.max(members, m + 1);
                cols.add(i);
            }
        }
        if (!classes.equals(spec.labels())) {
            throw new TemperedException(file, "member 0's classes " + classes + " differ from " + spec.ref()
                    + "'s labels " + spec.labels());
        }
        if (cols.size() != members * classes.size()) {
            throw new TemperedException(file, cols.size() + " logit columns, expected " + members + " x "
                    + classes.size());
        }
        double[][][] z = new double[rows.size()][][];
        int[] y = new int[rows.size()];
        List<String> names = new ArrayList<>();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = table.rows().get(rows.get(k));
            int line = table.lines().get(rows.get(k));
            double[][] logits = new double[members][classes.size()];
            for (int c = 0; c < cols.size(); c++) {
                logits[c / classes.size()][c % classes.size()] = number(row[cols.get(c)], file, line,
                        header[cols.get(c)]);
            }
            z[k] = logits;
            y[k] = truth(row[labelCol], spec, file, line);
            names.add(row[fileCol].trim());
        }
        return new LabelledLogits(spec.labels(), z, y, names);
    }

    private LabelledLogits fromFeatures(Path file, CsvTable table, ModelSpec spec, EnsembleModel model,
            List<Integer> rows) throws TemperedException, InferenceException {
        String[] header = table.header();
        int fileCol = table.column(file, "filename", "file");
        int labelCol = table.column(file, "label");
        int inputSize = spec.inputShape().isEmpty() ? -1
                : spec.inputShape().get(spec.inputShape().size() - 1).intValue();
        List<Integer> featureCols = new ArrayList<>();
        Optional<FrontEnd> frontEnd = frontEnds.find(spec.frontEnd());
        List<String> embeddingNames = model.embeddingNames();
        // A convnet package reads audio, but its heads also take the embedding a feature CSV holds.
        boolean embeddings = !embeddingNames.isEmpty()
                && List.of(header).stream().map(String::trim).anyMatch(h -> h.equals(embeddingNames.get(0)));
        if (embeddings) {
            for (String n : embeddingNames) {
                featureCols.add(table.column(file, n));
            }
            inputSize = embeddingNames.size();
        } else if (frontEnd.isPresent()) {
            for (String n : frontEnd.get().featureNames()) {
                featureCols.add(table.column(file, n));
            }
        } else if (spec.frontEnd().contains("descriptor")) {
            // No front-end service to name the features: take every column but the bookkeeping ones, in order.
            for (int i = 0; i < header.length; i++) {
                String h = header[i].trim().toLowerCase(Locale.ROOT);
                if (i != fileCol && i != labelCol && !h.equals("length")) {
                    featureCols.add(i);
                }
            }
        } else {
            throw new TemperedException(file, "no logit columns (m0_<class>, ...), and " + spec.ref() + " takes '"
                    + spec.frontEnd() + "' input, not a descriptor vector: give labelled logits");
        }
        if (inputSize > 0 && featureCols.size() != inputSize) {
            throw new TemperedException(file, featureCols.size() + " feature columns but " + spec.ref() + " takes "
                    + inputSize + " inputs");
        }
        float[][] x = new float[rows.size()][];
        int[] y = new int[rows.size()];
        List<String> names = new ArrayList<>();
        for (int k = 0; k < rows.size(); k++) {
            String[] row = table.rows().get(rows.get(k));
            int line = table.lines().get(rows.get(k));
            float[] v = new float[featureCols.size()];
            for (int c = 0; c < v.length; c++) {
                v[c] = (float) number(row[featureCols.get(c)], file, line, header[featureCols.get(c)]);
            }
            x[k] = v;
            y[k] = truth(row[labelCol], spec, file, line);
            names.add(row[fileCol].trim());
        }
        double[][][] z = new double[x.length][][];
        for (int from = 0; from < x.length; from += BATCH) {
            int to = Math.min(x.length, from + BATCH);
            float[][] batch = java.util.Arrays.copyOfRange(x, from, to);
            EnsembleOutput out = embeddings ? model.runEmbeddings(batch) : model.run(batch);
            for (int i = from; i < to; i++) {
                z[i] = out.row(i - from);
            }
        }
        return new LabelledLogits(spec.labels(), z, y, names);
    }

    @Override
    public void writeLogits(LabelledLogits logits, Path file) throws TemperedException {
        double[][][] z = logits.logits();
        int[] y = logits.truth();
        List<String> labels = logits.labels();
        try {
            ReportFiles.replace(file, tmp -> {
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8);
                        SequenceWriter csv = CsvTable.CSV.writerFor(String[].class).writeValues(w)) {
                    List<String> h = new ArrayList<>(List.of("file", "label"));
                    int members = z.length == 0 ? 0 : z[0].length;
                    for (int m = 0; m < members; m++) {
                        for (String c : labels) {
                            h.add("m" + m + "_" + c);
                        }
                    }
                    csv.write(h.toArray(String[]::new));
                    for (int i = 0; i < z.length; i++) {
                        List<String> row = new ArrayList<>();
                        row.add(i < logits.rowNames().size() ? logits.rowNames().get(i) : Integer.toString(i));
                        row.add(labels.get(y[i]));
                        for (double[] member : z[i]) {
                            for (double v : member) {
                                row.add(Double.toString(v));
                            }
                        }
                        csv.write(row.toArray(String[]::new));
                    }
                }
            });
        } catch (IOException e) {
            throw new TemperedException(file, "cannot write: " + e.getMessage(), e);
        }
    }
}
