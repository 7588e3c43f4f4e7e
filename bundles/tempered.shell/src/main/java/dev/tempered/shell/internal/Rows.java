package dev.tempered.shell.internal;

import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The columns every Tempered action reports a file with, so a host's results table lines up across actions. */
final class Rows {
    static final String FILE = "file";
    static final String GENRE = "genre";
    static final String CONFIDENCE = "confidence";
    static final String ENTROPY = "entropy";
    static final String MI = "mutual information";
    static final String CANDIDATES = "candidates";
    static final String MODEL = "model";
    static final String TEMPERATURE = "T";

    /**
     * The order columns are shown in: {@link dev.tempered.api.plugin.ActionResult} copies rows into unordered maps,
     * so every host orders them itself; others follow alphabetically.
     */
    static final List<String> ORDER = List.of(FILE, GENRE, CONFIDENCE, ENTROPY, MI, CANDIDATES, MODEL, TEMPERATURE);

    private Rows() {
    }

    static Map<String, String> of(TrackAnalysis analysis) {
        return of(analysis.file(), analysis.prediction());
    }

    /** A file as the library index holds it after a collection job. */
    static Map<String, String> of(dev.tempered.api.library.LibraryEntry e) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put(FILE, Selection.name(e.file()));
        row.put(GENRE, e.topLabel());
        row.put(CONFIDENCE, fmt(e.confidence()));
        row.put(ENTROPY, fmt(e.entropy()));
        row.put(MI, fmt(e.mutualInformation()));
        row.put(CANDIDATES, candidates(e.labels(), e.probabilities(), 3));
        row.put(MODEL, e.model() == null ? "" : e.model().toString());
        row.put(TEMPERATURE, fmt(e.temperature()));
        return row;
    }

    static Map<String, String> of(Path file, GenrePrediction p) {
        Map<String, String> row = new LinkedHashMap<>();
        row.put(FILE, Selection.name(file));
        row.put(GENRE, p.topLabel());
        row.put(CONFIDENCE, fmt(p.confidence()));
        row.put(ENTROPY, fmt(p.entropy()));
        row.put(MI, fmt(p.mutualInformation()));
        row.put(CANDIDATES, candidates(p, 3));
        row.put(MODEL, p.model().toString());
        row.put(TEMPERATURE, fmt(p.temperature()));
        return row;
    }

    /** The top {@code n} labels with their probabilities, highest first. */
    static String candidates(GenrePrediction p, int n) {
        return candidates(p.labels(), p.probabilities(), n);
    }

    static String candidates(List<String> labels, double[] prob, int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < prob.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> prob[i]).reversed());
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < Math.min(n, order.size()); k++) {
            int i = order.get(k);
            if (k > 0) {
                sb.append(", ");
            }
            sb.append(labels.get(i)).append(' ').append(fmt(prob[i]));
        }
        return sb.toString();
    }

    /** The columns of these rows in display order. */
    static List<String> columns(List<Map<String, String>> rows) {
        java.util.Set<String> all = new java.util.TreeSet<>();
        rows.forEach(r -> all.addAll(r.keySet()));
        List<String> out = new ArrayList<>();
        ORDER.stream().filter(all::contains).forEach(out::add);
        all.stream().filter(c -> !ORDER.contains(c)).forEach(out::add);
        return out;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
