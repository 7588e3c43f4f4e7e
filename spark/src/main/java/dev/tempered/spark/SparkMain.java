package dev.tempered.spark;

import dev.tempered.api.TemperedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tempered spark}: the Spark job's command line, for {@code spark-submit} and for the {@code tempered}
 * script, which runs it in local mode in a JVM of its own.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Analyse audio files on Apache Spark (local mode by default) and write one Parquet row per "
                + "file: path, size, mtime, content hash, model, T, distribution, top label, confidence, entropy, "
                + "MI, windows, decision, error.")
public final class SparkMain implements Callable<Integer> {
    @Option(names = "--master", description = "Spark master: local[N] (default local[*]) or a cluster URL; "
            + "under spark-submit the submitted master is kept.")
    String master;

    @Option(names = "--partitions", description = "Partitions of the file list (default: 4 per core of the "
            + "default parallelism).")
    Integer partitions;

    @Option(names = "--output", required = true, description = "Folder of the Parquet table (replaced).")
    Path output;

    @Option(names = "--manifest", description = "A file listing one audio path per line (instead of PATHs).")
    Path manifest;

    @Option(names = "--model", description = "Model package directory or .zip (default: models/choi-gtzan "
            + "of the checkout).")
    Path model;

    @Option(names = "--min-confidence", description = "Threshold of the decision column (default 0.5).")
    double minConfidence = Double.NaN;

    @Parameters(arity = "0..*", paramLabel = "PATH", description = "Audio files or folders (walked).")
    List<Path> paths = new ArrayList<>();

    public static void main(String[] args) {
        System.exit(new CommandLine(new SparkMain()).execute(args));
    }

    /** A session for the master, or the one spark-submit configured when none is given. */
    static SparkSession session(String master) {
        SparkSession.Builder b = SparkSession.builder().appName("tempered")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "8");
        boolean submitted = System.getProperty("spark.master") != null;
        if (master != null) {
            b.master(master);
        } else if (!submitted) {
            b.master("local[*]");
        }
        if ((master != null && master.startsWith("local")) || (master == null && !submitted)) {
            // Embedded local mode binds to loopback only: nothing outside this machine needs to reach it.
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b.getOrCreate();
    }

    @Override
    public Integer call() throws Exception {
        if ((manifest == null) == paths.isEmpty()) {
            System.err.println("tempered spark: give either PATHs or --manifest FILE");
            return 2;
        }
        List<String> files;
        if (manifest != null) {
            files = Files.readAllLines(manifest).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } else {
            files = SparkTagJob.list(paths);
        }
        Path pkg = model != null ? model : defaultModel();
        SparkSession spark = session(master);
        try {
            int n = partitions != null ? partitions
                    : Math.max(1, Math.min(files.size(), 4 * spark.sparkContext().defaultParallelism()));
            SparkTagJob.Summary s = SparkTagJob.run(spark,
                    new SparkTagJob.Request(files, pkg, n, minConfidence, output));
            System.out.printf(Locale.ROOT, "%d files, %d errors, %.1f s (%.2f files/s) -> %s%n", s.rows(), s.errors(),
                    s.seconds(), s.rows() / s.seconds(), output.toAbsolutePath());
            return 0;
        } catch (TemperedException e) {
            System.err.println("tempered spark: " + e.getMessage());
            return 1;
        } finally {
            spark.stop();
        }
    }

    private static Path defaultModel() {
        // The tempered script names the repository's models folder; under spark-submit pass --model.
        return Path.of(System.getProperty("tempered.models", "models")).resolve("choi-gtzan");
    }
}
