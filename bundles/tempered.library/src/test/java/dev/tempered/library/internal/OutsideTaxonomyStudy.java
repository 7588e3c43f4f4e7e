package dev.tempered.library.internal;

import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.calibration.internal.TemperatureCalibrator;
import dev.tempered.decode.internal.DefaultAudioLoader;
import dev.tempered.features.internal.WaveformFrontEnd;
import dev.tempered.inference.internal.DefaultModelRepository;
import dev.tempered.inference.internal.RunnerOptions;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import dev.tempered.nativeaudio.internal.SoxrResampler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Which of the model's own signals tells music outside GTZAN's ten genres from music inside them: the shipped
 * choi-gtzan package through the real pipeline on Debian's game music, electronic (singularity-music,
 * warzone2100-music: outside the taxonomy) against orchestral (wesnoth-1.16-music, GTZAN's "classical") and the two
 * committed clips (GTZAN blues, FMA hip-hop). Distances are to the 800 GTZAN training embeddings
 * (fixtures/gtzan/convnet_embeddings.csv), standardised per dimension; the training rows' own leave-one-out
 * distances are the in-taxonomy reference too. Prints AUROC per signal. A measurement, not a test:
 * {@code -Dtest=OutsideTaxonomyStudy -Dtempered.study.ood=true}; writes target/benchmarks/outside-taxonomy.md.
 */
@EnabledIfSystemProperty(named = "tempered.study.ood", matches = "true")
class OutsideTaxonomyStudy {
    private static final int K = 5;

    record Track(String group, String name, GenrePrediction p, double[] embedding) {
    }

    @Test
    void measure() throws Exception {
        List<ConvnetPipelineTest.Row> train = ConvnetPipelineTest.referenceRows();
        int d = train.get(0).values().length;
        double[] mu = new double[d];
        double[] sd = new double[d];
        for (ConvnetPipelineTest.Row r : train) {
            for (int i = 0; i < d; i++) {
                mu[i] += r.values()[i] / train.size();
            }
        }
        for (ConvnetPipelineTest.Row r : train) {
            for (int i = 0; i < d; i++) {
                sd[i] += Math.pow(r.values()[i] - mu[i], 2) / train.size();
            }
        }
        for (int i = 0; i < d; i++) {
            sd[i] = Math.sqrt(sd[i]) + 1e-9;
        }
        List<double[]> z = new ArrayList<>();
        Map<String, double[]> centroids = new LinkedHashMap<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (ConvnetPipelineTest.Row r : train) {
            double[] v = standardise(r.values(), mu, sd);
            z.add(v);
            String label = r.name().substring(0, r.name().indexOf('.'));
            double[] c = centroids.computeIfAbsent(label, k -> new double[d]);
            for (int i = 0; i < d; i++) {
                c[i] += v[i];
            }
            counts.merge(label, 1, Integer::sum);
        }
        centroids.forEach((l, c) -> {
            for (int i = 0; i < d; i++) {
                c[i] /= counts.get(l);
            }
        });

        DefaultModelRepository repository = new DefaultModelRepository(RunnerOptions.defaults(), r -> { });
        repository.install(RepoFiles.path("models", "choi-gtzan"));
        repository.activate("choi-gtzan", null);
        DefaultAudioLoader loader = new DefaultAudioLoader(new SoxrResampler());
        loader.add(new FfmpegDecoder(Set.of("mp4", "aac", "ogg")), 200, 1);
        loader.add(new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg")), 100, 2);
        TrackAnalyzerComponent analyzer = new TrackAnalyzerComponent(repository, loader, new TemperatureCalibrator());
        analyzer.addFrontEnd(new WaveformFrontEnd());

        Map<String, List<Path>> groups = new LinkedHashMap<>();
        groups.put("out", new ArrayList<>(files("singularity-music")));
        groups.get("out").addAll(files("warzone2100-music"));
        groups.put("in", new ArrayList<>(files("wesnoth-1.16-music")));
        groups.get("in").add(RepoFiles.path("fixtures", "gtzan", "blues.00099.mp3"));
        groups.get("in").add(RepoFiles.path("fixtures", "fma", "000002.mp3"));
        List<Track> tracks = new ArrayList<>();
        for (Map.Entry<String, List<Path>> g : groups.entrySet()) {
            for (Path f : g.getValue()) {
                try {
                    TrackAnalysis a = analyzer.analyze(f, null);
                    float[][] rows = a.vectors().rows();
                    double[] mean = new double[d];
                    for (float[] row : rows) {
                        for (int i = 0; i < d; i++) {
                            mean[i] += row[i] / rows.length;
                        }
                    }
                    tracks.add(new Track(g.getKey(), f.getFileName().toString(), a.prediction(), mean));
                } catch (Exception e) {
                    System.out.println("skipped " + f + ": " + e.getMessage());
                }
            }
        }
        repository.close();

        Map<String, ToDoubleFunction<double[]>> distances = new LinkedHashMap<>();
        distances.put("nearest-centroid distance (standardised)", v -> nearestCentroid(v, centroids));
        distances.put("k-NN distance, k=5 (standardised)", v -> knn(v, z, -1));
        Map<String, ToDoubleFunction<Track>> signals = new LinkedHashMap<>();
        signals.put("1 - confidence", t -> 1 - t.p().confidence());
        signals.put("entropy", t -> t.p().entropy());
        signals.put("mutual information", t -> t.p().mutualInformation());
        signals.put("embedding L2 norm", t -> norm(t.embedding()));
        signals.put("- embedding L2 norm", t -> -norm(t.embedding()));
        distances.forEach((n, f) -> signals.put(n, t -> f.applyAsDouble(standardise(t.embedding(), mu, sd))));

        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "Tracks: %d outside (electronic: "
                + "singularity-music, warzone2100-music), %d inside (wesnoth orchestral + GTZAN blues + FMA hip-hop);"
                + " model choi-gtzan 1.0.0 at its shipped T; reference: the 800 GTZAN training embeddings.%n%n",
                tracks.stream().filter(t -> t.group().equals("out")).count(),
                tracks.stream().filter(t -> t.group().equals("in")).count()));
        md.append("| signal (higher = less like the training data) | AUROC out vs in | median out | median in |"
                + " best threshold | its accuracy | out above the 95th pct of GTZAN LOO |\n|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, ToDoubleFunction<Track>> s : signals.entrySet()) {
            double[] out = tracks.stream().filter(t -> t.group().equals("out")).mapToDouble(s.getValue()).toArray();
            double[] in = tracks.stream().filter(t -> t.group().equals("in")).mapToDouble(s.getValue()).toArray();
            double[] best = bestThreshold(out, in);
            String loo = "—";
            if (s.getKey().contains("distance")) {
                ToDoubleFunction<double[]> f = distances.get(s.getKey());
                double[] ref = new double[z.size()];
                for (int i = 0; i < z.size(); i++) {
                    ref[i] = s.getKey().startsWith("k-NN") ? knn(z.get(i), z, i) : f.applyAsDouble(z.get(i));
                }
                java.util.Arrays.sort(ref);
                double p95 = ref[(int) (0.95 * (ref.length - 1))];
                long above = java.util.Arrays.stream(out).filter(x -> x > p95).count();
                loo = String.format(Locale.ROOT, "%d of %d (p95 %.2f)", above, out.length, p95);
            }
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.4f | %.4f | %.4f | %.3f | %s |%n", s.getKey(),
                    auroc(out, in), median(out), median(in), best[0], best[1], loo));
        }
        md.append("\n| group | track | top label | confidence | entropy | MI | kNN dist |\n|---|---|---|---|---|---|---|\n");
        for (Track t : tracks) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.4f | %.3f | %.4f | %.2f |%n", t.group(), t.name(),
                    t.p().topLabel(), t.p().confidence(), t.p().entropy(), t.p().mutualInformation(),
                    knn(standardise(t.embedding(), mu, sd), z, -1)));
        }
        System.out.println(md);
        Path o = Path.of("target", "benchmarks", "outside-taxonomy.md");
        Files.createDirectories(o.getParent());
        Files.writeString(o, md);
    }

    private static List<Path> files(String pkg) throws Exception {
        Process p = new ProcessBuilder("dpkg", "-L", pkg).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        p.waitFor();
        List<Path> files = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.matches(".*\\.(ogg|opus|mp3|flac)$") && Files.isRegularFile(Path.of(line))) {
                files.add(Path.of(line));
            }
        }
        return files;
    }

    static double[] standardise(double[] v, double[] mu, double[] sd) {
        double[] z = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            z[i] = (v[i] - mu[i]) / sd[i];
        }
        return z;
    }

    static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    static double dist(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    static double nearestCentroid(double[] v, Map<String, double[]> centroids) {
        return centroids.values().stream().mapToDouble(c -> dist(v, c)).min().orElseThrow();
    }

    /** Mean distance to the k nearest training rows, leaving row {@code skip} out (-1: none). */
    static double knn(double[] v, List<double[]> rows, int skip) {
        double[] ds = new double[rows.size()];
        int n = 0;
        for (int i = 0; i < rows.size(); i++) {
            if (i != skip) {
                ds[n++] = dist(v, rows.get(i));
            }
        }
        double[] s = java.util.Arrays.copyOf(ds, n);
        java.util.Arrays.sort(s);
        double m = 0;
        for (int i = 0; i < K; i++) {
            m += s[i] / K;
        }
        return m;
    }

    static double auroc(double[] pos, double[] neg) {
        double wins = 0;
        for (double p : pos) {
            for (double q : neg) {
                wins += p > q ? 1 : p == q ? 0.5 : 0;
            }
        }
        return wins / (pos.length * (double) neg.length);
    }

    /** The threshold (score above it: outside) with the best balanced accuracy, and that accuracy. */
    static double[] bestThreshold(double[] pos, double[] neg) {
        double[] all = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(pos), java.util.Arrays.stream(neg))
                .sorted().toArray();
        double best = 0;
        double at = all[0];
        for (double t : all) {
            double tpr = java.util.Arrays.stream(pos).filter(x -> x > t).count() / (double) pos.length;
            double tnr = java.util.Arrays.stream(neg).filter(x -> x <= t).count() / (double) neg.length;
            if ((tpr + tnr) / 2 > best) {
                best = (tpr + tnr) / 2;
                at = t;
            }
        }
        return new double[] {at, best};
    }

    static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s[s.length / 2];
    }
}
