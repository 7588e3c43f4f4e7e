package dev.tempered.spark;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.tag.TagPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/**
 * Analyses files on Spark executors with the application's pipeline and writes one Parquet row per file. The model
 * package travels with the job ({@code addFile}); each executor JVM opens it once and keeps it for every task. A
 * file that fails becomes a row with its error. The table is written with Spark's committer (task output staged,
 * committed per task) in overwrite mode, so a retried task or a rerun after a killed job leaves exactly one row
 * per file.
 */
public final class SparkTagJob {
    /** Files analysed together: the ensemble runs their windows in one batch, as a collection job does. */
    static final int FILES_PER_CHUNK = 16;

    /** Per executor JVM: pipelines by model package location, opened on first use. */
    private static final Map<String, CorePipeline> PIPELINES = new ConcurrentHashMap<>();

    private SparkTagJob() {
    }

    /** What the job was asked to do. */
    public record Request(List<String> files, Path modelPackage, int partitions, double minConfidence, Path output) {
        public Request {
            files = List.copyOf(files);
            if (partitions < 1) {
                throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
            }
        }
    }

    /** What was written: rows in the table and how many of them are errors. */
    public record Summary(long rows, long errors, double seconds) {
    }

    public static Summary run(SparkSession spark, Request request) throws TemperedException {
        Path pkg = request.modelPackage().toAbsolutePath();
        if (!Files.exists(pkg)) {
            throw new TemperedException(pkg, "no model package here");
        }
        long t0 = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // A directory package is shipped whole; executors find it by its name under SparkFiles' root.
        String uri = pkg.toUri().toString();
        if (!jsc.sc().listFiles().contains(uri)) {
            jsc.sc().addFile(uri, Files.isDirectory(pkg));
        }
        String name = pkg.getFileName().toString();
        double min = request.minConfidence();
        JavaRDD<Row> rows = jsc.parallelize(request.files(), request.partitions())
                .mapPartitions(new Analyse(name, min));
        spark.createDataFrame(rows, TableRow.SCHEMA).write().mode(SaveMode.Overwrite)
                .parquet(request.output().toAbsolutePath().toString());
        var table = spark.read().parquet(request.output().toAbsolutePath().toString());
        long total = table.count();
        long errors = table.filter("error IS NOT NULL").count();
        writePredictions(table, request.output().toAbsolutePath());
        return new Summary(total, errors, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * The rows as JSON lines for {@code tempered tag --apply} (which runs in the OSGi application, without a
     * Parquet reader), streamed from the committed table to the driver and renamed into place whole.
     */
    static void writePredictions(org.apache.spark.sql.Dataset<Row> table, Path dir) throws TemperedException {
        Path file = dir.resolve(dev.tempered.api.library.StoredPrediction.FILE);
        com.fasterxml.jackson.databind.ObjectWriter json = new com.fasterxml.jackson.databind.ObjectMapper().writer();
        try {
            Path tmp = Files.createTempFile(dir, "_tempered-predictions-", ".tmp");
            try (java.io.BufferedWriter w = Files.newBufferedWriter(tmp, java.nio.charset.StandardCharsets.UTF_8)) {
                Iterator<Row> rows = table.toLocalIterator();
                while (rows.hasNext()) {
                    w.write(json.writeValueAsString(TableRow.prediction(rows.next())));
                    w.write('\n');
                }
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new TemperedException(file, "cannot write the rows for tag --apply: " + e.getMessage(), e);
        }
    }

    /** The executor side: one pipeline per JVM, rows produced lazily in chunks. */
    private record Analyse(String packageName, double minConfidence)
            implements org.apache.spark.api.java.function.FlatMapFunction<Iterator<String>, Row>, Serializable {
        @Override
        public Iterator<Row> call(Iterator<String> paths) {
            Path pkg = Path.of(SparkFiles.get(packageName));
            TagPolicy policy = Double.isNaN(minConfidence) ? TagPolicy.defaults()
                    : TagPolicy.defaults().withMinConfidence(minConfidence);
            CorePipeline pipeline;
            String openError;
            try {
                pipeline = pipeline(pkg);
                openError = null;
            } catch (TemperedException | RuntimeException e) {
                pipeline = null;
                openError = "cannot load the model package " + packageName + ": " + e.getMessage();
            }
            CorePipeline p = pipeline;
            String failure = openError;
            String model = p == null ? null : p.spec().ref().toString();
            return new Iterator<>() {
                private final List<Row> ready = new ArrayList<>();
                private int next;

                @Override
                public boolean hasNext() {
                    if (next < ready.size()) {
                        return true;
                    }
                    ready.clear();
                    next = 0;
                    List<Path> chunk = new ArrayList<>();
                    while (chunk.size() < FILES_PER_CHUNK && paths.hasNext()) {
                        chunk.add(Path.of(paths.next()));
                    }
                    if (chunk.isEmpty()) {
                        return false;
                    }
                    List<TrackAnalyzer.Outcome> outcomes;
                    if (p == null) {
                        outcomes = chunk.stream().map(f -> new TrackAnalyzer.Outcome(f, null,
                                new TemperedException(f, failure))).toList();
                    } else {
                        outcomes = p.analyzeAll(chunk);
                    }
                    for (TrackAnalyzer.Outcome o : outcomes) {
                        ready.add(TableRow.of(o, model, policy));
                    }
                    return true;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return ready.get(next++);
                }
            };
        }
    }

    static CorePipeline pipeline(Path pkg) throws TemperedException {
        String key = pkg.toAbsolutePath().normalize().toString();
        CorePipeline existing = PIPELINES.get(key);
        if (existing != null) {
            return existing;
        }
        synchronized (PIPELINES) {
            existing = PIPELINES.get(key);
            if (existing == null) {
                existing = CorePipeline.open(pkg);
                PIPELINES.put(key, existing);
                CorePipeline opened = existing;
                Runtime.getRuntime().addShutdownHook(new Thread(opened::close, "tempered-pipeline-close"));
            }
            return existing;
        }
    }

    /** Audio files under the roots as the collection job's scanner walks them, recognised by their extension. */
    public static List<String> list(List<Path> roots) throws IOException {
        var result = dev.tempered.library.internal.Scanner.scan(roots, SparkTagJob::looksLikeAudio, () -> false,
                n -> { });
        result.warnings().forEach(System.err::println);
        return result.files().stream().map(Path::toString).toList();
    }

    /**
     * By name, not by content: a damaged file that claims to be audio must become an error row in the table,
     * not vanish from it.
     */
    static boolean looksLikeAudio(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        int dot = n.lastIndexOf('.');
        return dot > 0 && AUDIO.contains(n.substring(dot + 1));
    }

    static final java.util.Set<String> AUDIO = java.util.Set.of("mp3", "ogg", "oga", "opus", "flac", "wav", "aif",
            "aiff", "m4a", "mp4", "aac");
}
