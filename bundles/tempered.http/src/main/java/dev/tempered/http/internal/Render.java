package dev.tempered.http.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.ReviewQueue;
import dev.tempered.api.library.TagJobSummary;
import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagResult;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/** The services' records as JSON; the analysis has the shape of {@code tempered analyze --format json}. */
final class Render {
    private Render() {
    }

    static ObjectNode analysis(TrackAnalysis a) {
        GenrePrediction p = a.prediction();
        ObjectNode o = Api.JSON.createObjectNode();
        o.put("file", a.file().toString());
        if (a.audio() != null) {
            o.put("format", a.audio().container());
            o.put("codec", a.audio().codec());
            num(o, "durationSeconds", a.audio().durationSeconds());
        }
        o.put("model", p.model().toString());
        num(o, "temperature", p.temperature());
        o.put("attribution", p.attribution());
        o.put("genre", p.topLabel());
        // As tempered tag would write it into the genre field (hiphop: Hip-Hop).
        o.put("genreName", GenreNames.defaults().name(p.topLabel()));
        num(o, "confidence", p.confidence());
        num(o, "entropy", p.entropy());
        num(o, "mutualInformation", p.mutualInformation());
        ObjectNode dist = o.putObject("distribution");
        double[] probs = p.probabilities();
        IntStream.range(0, probs.length).boxed().sorted(Comparator.comparingDouble((Integer c) -> -probs[c]))
                .forEach(c -> num(dist, p.labels().get(c), probs[c]));
        ArrayNode windows = o.putArray("windows");
        for (GenrePrediction wp : a.windows()) {
            ObjectNode w = windows.addObject();
            w.put("genre", wp.topLabel());
            num(w, "confidence", wp.confidence());
            num(w, "mutualInformation", wp.mutualInformation());
        }
        return o;
    }

    static ObjectNode summary(TagJobSummary s, List<LibraryEntry> entries) {
        ObjectNode o = Api.JSON.createObjectNode();
        o.put("model", s.model() == null ? null : s.model().toString());
        num(o, "temperature", s.temperature());
        o.put("dryRun", s.dryRun());
        o.put("cancelled", s.cancelled());
        o.put("found", s.found());
        o.put("analysed", s.analysed());
        o.put("recalibrated", s.recalibrated());
        o.put("unchanged", s.unchanged());
        o.put("failed", s.failed());
        o.put("written", s.written());
        o.put("review", s.review());
        ObjectNode failures = o.putObject("failures");
        s.failures().forEach((f, why) -> failures.put(f.toString(), why));
        ArrayNode warnings = o.putArray("warnings");
        s.warnings().forEach(warnings::add);
        ArrayNode files = o.putArray("files");
        entries.stream().sorted(Comparator.comparing(e -> e.file().toString())).forEach(e -> files.add(entry(e)));
        return o;
    }

    static ObjectNode entry(LibraryEntry e) {
        ObjectNode o = Api.JSON.createObjectNode();
        o.put("file", e.file().toString());
        o.put("status", e.status().name().toLowerCase(Locale.ROOT));
        o.put("decision", e.decision() == null ? null : e.decision().name().toLowerCase(Locale.ROOT));
        o.put("written", e.written());
        o.put("model", e.model() == null ? null : e.model().toString());
        num(o, "temperature", e.temperature());
        o.put("genre", e.topLabel());
        num(o, "confidence", e.confidence());
        num(o, "mutualInformation", e.mutualInformation());
        o.put("suggestion", e.suggestion());
        o.put("genreBefore", e.genreBefore());
        o.put("genreAfter", e.genreAfter());
        o.put("message", e.message());
        return o;
    }

    static ObjectNode item(ReviewQueue.Item i) {
        ObjectNode o = Api.JSON.createObjectNode();
        o.put("file", i.file().toString());
        o.put("relativePath", i.relativePath());
        o.put("genre", i.genre());
        o.put("suggestion", i.suggestion());
        num(o, "confidence", i.confidence());
        num(o, "mutualInformation", i.mutualInformation());
        o.put("reason", i.reason());
        return o;
    }

    static ObjectNode result(TagResult t) {
        ObjectNode o = Api.JSON.createObjectNode();
        o.put("file", t.file().toString());
        o.put("written", t.written());
        o.put("decision", t.plan() == null ? null : t.plan().decision().name().toLowerCase(Locale.ROOT));
        o.put("message", t.message());
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
}
