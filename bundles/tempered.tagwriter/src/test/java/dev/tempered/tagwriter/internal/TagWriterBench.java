package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Times plan+apply (a real, verified write) and read per format; prints a markdown table. A benchmark, not a
 * test: run it with {@code -Dtest=TagWriterBench -Dtempered.bench=true}.
 */
@EnabledIfSystemProperty(named = "tempered.bench", matches = "true")
class TagWriterBench {
    @TempDir
    Path tmp;

    @Test
    void writeTimes() throws Exception {
        int n = Integer.getInteger("tempered.bench.writes", 20);
        TagWriterImpl w = new TagWriterImpl(tmp.resolve("journal"), true, SafeReplace.NONE);
        System.out.println("| file | size (KB) | plan+apply, median ms | p90 ms | read, median ms |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (String name : Fixtures.FILES.keySet()) {
            Path f = Fixtures.copy(name, tmp);
            for (int i = 0; i < 3; i++) { // warm-up
                w.apply(w.plan(f, Fixtures.prediction(i % 2 == 0 ? 0.9 : 0.8), TagPolicy.defaults()));
            }
            double[] write = new double[n];
            double[] read = new double[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                // The warm-up ended on 0.9; alternate so that every timed apply really writes.
                assertTrue(w.apply(w.plan(f, Fixtures.prediction(i % 2 == 0 ? 0.8 : 0.9), TagPolicy.defaults()))
                        .written());
                long t1 = System.nanoTime();
                w.read(f);
                long t2 = System.nanoTime();
                write[i] = (t1 - t0) / 1e6;
                read[i] = (t2 - t1) / 1e6;
            }
            Arrays.sort(write);
            Arrays.sort(read);
            System.out.printf("| %s | %d | %.1f | %.1f | %.1f |%n", name, Files.size(f) / 1024, write[n / 2],
                    write[(int) (n * 0.9)], read[n / 2]);
        }
    }
}
