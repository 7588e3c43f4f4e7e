package dev.tempered.spark;

import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.tag.TagPolicy;
import dev.tempered.library.internal.ContentHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The Parquet table's columns, one row per file; a file that could not be analysed keeps its error here. */
public final class TableRow {
    /** A row as {@code tag --apply} reads it (the JSON lines beside the Parquet parts). */
    static dev.tempered.api.library.StoredPrediction prediction(Row r) {
        List<String> labels = new java.util.ArrayList<>();
        double[] p = new double[0];
        if (!r.isNullAt(r.fieldIndex("distribution"))) {
            Map<String, Double> d = new java.util.TreeMap<>(
                    scala.jdk.javaapi.CollectionConverters.asJava(r.<String, Double>getMap(r.fieldIndex("distribution"))));
            p = new double[d.size()];
            int i = 0;
            for (Map.Entry<String, Double> e : d.entrySet()) {
                labels.add(e.getKey());
                p[i++] = e.getValue();
            }
        }
        return new dev.tempered.api.library.StoredPrediction(r.getString(r.fieldIndex("path")),
                r.isNullAt(r.fieldIndex("size")) ? -1 : r.getLong(r.fieldIndex("size")),
                r.isNullAt(r.fieldIndex("mtime")) ? 0 : r.getTimestamp(r.fieldIndex("mtime")).getTime(),
                r.getString(r.fieldIndex("content_hash")), r.getString(r.fieldIndex("model")),
                number(r, "temperature"), labels, p, number(r, "mutual_information"), number(r, "duration_s"),
                r.getString(r.fieldIndex("error")));
    }

    private static double number(Row r, String column) {
        int i = r.fieldIndex(column);
        return r.isNullAt(i) ? Double.NaN : r.getDouble(i);
    }

    public static final StructType SCHEMA = new StructType(new StructField[] {
        field("path", DataTypes.StringType, false),
        field("size", DataTypes.LongType, true),
        field("mtime", DataTypes.TimestampType, true),
        field("content_hash", DataTypes.StringType, true),
        field("model", DataTypes.StringType, true),
        field("temperature", DataTypes.DoubleType, true),
        field("distribution", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), true),
        field("top_label", DataTypes.StringType, true),
        field("confidence", DataTypes.DoubleType, true),
        field("entropy", DataTypes.DoubleType, true),
        field("mutual_information", DataTypes.DoubleType, true),
        field("windows", DataTypes.IntegerType, true),
        field("duration_s", DataTypes.DoubleType, true),
        field("decision", DataTypes.StringType, true),
        field("error", DataTypes.StringType, true),
    });

    private TableRow() {
    }

    private static StructField field(String name, org.apache.spark.sql.types.DataType type, boolean nullable) {
        return DataTypes.createStructField(name, type, nullable);
    }

    /**
     * The row for one outcome. Size, time and hash are read before the result is used so that {@code tag --apply}
     * can refuse a file that changed after it was analysed; the decision is the default policy's at the given
     * threshold (the tags themselves are decided again when they are applied).
     */
    static Row of(TrackAnalyzer.Outcome outcome, String model, TagPolicy policy) {
        Path file = outcome.file();
        Long size = null;
        Timestamp mtime = null;
        String hash = null;
        String error = outcome.failure() == null ? null : outcome.failure().getMessage();
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            size = attrs.size();
            mtime = new Timestamp(attrs.lastModifiedTime().toMillis());
            hash = ContentHash.of(file);
        } catch (IOException e) {
            error = error != null ? error : file + ": cannot read: " + e;
        }
        TrackAnalysis a = outcome.analysis();
        if (a == null || error != null) {
            return RowFactory.create(file.toString(), size, mtime, hash, model, null, null, null, null, null, null,
                    null, null, null, error == null ? file + ": no analysis" : error);
        }
        GenrePrediction p = a.prediction();
        Map<String, Double> distribution = new LinkedHashMap<>();
        List<String> labels = p.labels();
        double[] probabilities = p.probabilities();
        for (int i = 0; i < labels.size(); i++) {
            distribution.put(labels.get(i), probabilities[i]);
        }
        return RowFactory.create(file.toString(), size, mtime, hash, p.model().toString(), p.temperature(),
                scala.jdk.javaapi.CollectionConverters.asScala(distribution), p.topLabel(), p.confidence(),
                p.entropy(), p.mutualInformation(), a.windows().size(),
                a.audio() == null ? null : a.audio().durationSeconds(),
                policy.decide(p.confidence()).name().toLowerCase(java.util.Locale.ROOT), null);
    }
}
