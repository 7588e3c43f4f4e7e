package dev.tempered.library.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodeRequest.TimeRange;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.calibration.GenrePrediction;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import dev.tempered.api.model.ModelSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The stages of analysing tracks, kept apart so that a collection job can run them on different threads:
 * {@link #prepare} (decode and front end, per file, parallel) and {@link #infer} (the ensemble on a batch of
 * windows from many files, then calibration and combination).
 */
final class AnalysisEngine {
    /** The task whose active model analyses tracks when no model is named. */
    static final String GENRE_TASK = "genre";
    /** Rows per ensemble run: big enough to amortise the call, small enough to keep memory flat. */
    static final int MAX_BATCH_ROWS = 256;

    private final ModelRepository models;
    private final AudioLoader loader;
    private final Calibrator calibrator;
    private final FrontEnds frontEnds;

    AnalysisEngine(ModelRepository models, AudioLoader loader, Calibrator calibrator, FrontEnds frontEnds) {
        this.models = Objects.requireNonNull(models);
        this.loader = Objects.requireNonNull(loader);
        this.calibrator = Objects.requireNonNull(calibrator);
        this.frontEnds = Objects.requireNonNull(frontEnds);
    }

    AudioLoader loader() {
        return loader;
    }

    Calibrator calibrator() {
        return calibrator;
    }

    /** Leases the named model (highest version) or the active genre model. */
    ModelLease lease(String modelId) throws TemperedException {
        try {
            return modelId == null || modelId.isBlank() ? models.lease(GENRE_TASK) : models.lease(modelId, null);
        } catch (InferenceException e) {
            String installed = models.installed().stream().map(s -> s.ref().toString()).toList().toString();
            throw new TemperedException(null, (modelId == null ? "no active genre model" : "no model '" + modelId
                    + "'") + " (installed: " + installed + "): " + e.getMessage(), e);
        }
    }

    private static String exhausted(VirtualMachineError e) {
        return (e instanceof OutOfMemoryError ? "out of memory" : "stack overflow") + " ("
                + e.getMessage() + "); the file is damaged or crafted, or too long for this heap";
    }

    /** Decoded and featurised windows of one file, ready for the ensemble. */
    record Prepared(Path file, AudioInfo audio, float[][] features, long decodeNanos, long featuresNanos,
            double decodedSeconds, List<String> featureNames, AudioSufficiency sufficiency) {
    }

    /** Front-end vectors longer than this (raw audio) are not kept with the analysis. */
    static final int MAX_KEPT_VECTOR = 1024;

    /** Probes, decodes the model's windows and computes its front end. */
    Prepared prepare(Path file, ModelSpec spec) throws TemperedException {
        FrontEnd fe = frontEnds.find(spec.frontEnd()).orElseThrow(() -> new TemperedException(file,
                "the model " + spec.ref() + " needs the front end '" + spec.frontEnd()
                        + "', which is not installed (installed: " + frontEnds.known() + ")"));
        if (fe.sampleRate() != spec.sampleRate()) {
            throw new TemperedException(file, "front end '" + fe.type() + "' wants " + fe.sampleRate()
                    + " Hz but the model " + spec.ref() + " declares " + spec.sampleRate() + " Hz");
        }
        long t0 = System.nanoTime();
        AudioInfo info;
        DecodedAudio audio;
        try {
            info = loader.probe(file);
            List<TimeRange> windows = WindowPlan.plan(info.durationSeconds(), spec.windowing());
            audio = loader.load(file, new DecodeRequest(spec.sampleRate(), true, windows));
        } catch (AudioException e) {
            throw new TemperedException(file, "cannot decode: " + reason(e), e);
        } catch (RuntimeException e) {
            throw new TemperedException(file, "decoding failed: " + e, e);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // A crafted file can still make a decoder ask for more than the heap holds: what it held is garbage
            // by now, so this file fails alone and the batch goes on.
            throw new TemperedException(file, "decoding failed: " + exhausted(e), e);
        }
        long t1 = System.nanoTime();
        List<DecodedAudio.Segment> kept = new ArrayList<>();
        for (DecodedAudio.Segment s : audio.segments()) {
            // A window the decoder cut short to nothing (a duration over-estimated by the header) is dropped.
            if (s.length() > 0) {
                kept.add(s);
            }
        }
        if (kept.isEmpty()) {
            throw new TemperedException(file, "the file holds no audio samples");
        }
        if (kept.size() != audio.segments().size()) {
            audio = new DecodedAudio(audio.info(), audio.sampleRate(), audio.channels(), kept);
        }
        float[][] features;
        try {
            features = fe.compute(audio);
        } catch (RuntimeException e) {
            throw new TemperedException(file, "front end '" + fe.type() + "' failed: " + e.getMessage(), e);
        } catch (OutOfMemoryError | StackOverflowError e) {
            throw new TemperedException(file, "front end '" + fe.type() + "' failed: " + exhausted(e), e);
        }
        long t2 = System.nanoTime();
        if (features.length != kept.size()) {
            throw new TemperedException(file, "front end '" + fe.type() + "' returned " + features.length
                    + " vectors for " + kept.size() + " windows");
        }
        return new Prepared(file, info, features, t1 - t0, t2 - t1, audio.decodedSeconds(), fe.featureNames(),
                AudioSufficiency.of(audio));
    }

    /**
     * One file's result from {@link #infer}: the analysis and the raw logits {@code [windows][members][classes]}
     * (kept in the index so a new temperature can be applied without decoding again), or the failure.
     */
    record Result(Path file, TrackAnalysis analysis, double[][][] logits, TemperedException failure) {
        boolean ok() {
            return failure == null;
        }
    }

    /** The temperature a job pins at its start: every window it analyses uses it, whatever edits arrive meanwhile. */
    double pinTemperature(ModelSpec spec) {
        return calibrator.temperature(spec.ref(), spec.defaultTemperature());
    }

    /**
     * Runs the windows of many files through the model in batches, then calibrates them all with one temperature
     * (pinned by the caller for its whole job, so a file's TEMPERED_MODEL names the T every window used) and
     * combines per file.
     */
    List<Result> infer(EnsembleModel model, List<Prepared> batch, double temperature) {
        ModelSpec spec = model.spec();
        List<float[]> rows = new ArrayList<>();
        for (Prepared p : batch) {
            rows.addAll(List.of(p.features()));
        }
        long t0 = System.nanoTime();
        EnsembleOutput[] outputs = new EnsembleOutput[(rows.size() + MAX_BATCH_ROWS - 1) / MAX_BATCH_ROWS];
        TemperedException batchFailure = null;
        for (int b = 0; b < outputs.length && batchFailure == null; b++) {
            List<float[]> chunk = rows.subList(b * MAX_BATCH_ROWS, Math.min(rows.size(), (b + 1) * MAX_BATCH_ROWS));
            try {
                outputs[b] = model.run(chunk.toArray(float[][]::new));
            } catch (InferenceException | RuntimeException e) {
                batchFailure = new TemperedException(null, "inference with " + spec.ref() + " failed: "
                        + e.getMessage(), e);
            }
        }
        long runNanos = System.nanoTime() - t0;
        if (batchFailure != null && batch.size() > 1) {
            // One bad input must not fail the files batched with it: run them one by one to find it.
            List<Result> out = new ArrayList<>(batch.size());
            for (Prepared p : batch) {
                out.addAll(infer(model, List.of(p), temperature));
            }
            return out;
        }
        List<Result> out = new ArrayList<>(batch.size());
        int start = 0;
        for (Prepared p : batch) {
            int n = p.features().length;
            int first = start;
            start += n;
            if (batchFailure != null) {
                out.add(new Result(p.file(), null, null,
                        new TemperedException(p.file(), batchFailure.getMessage(), batchFailure)));
                continue;
            }
            long c0 = System.nanoTime();
            try {
                List<GenrePrediction> windows = new ArrayList<>(n);
                double[][][] logits = new double[n][][];
                float[][] embeddings = new float[n][];
                for (int i = 0; i < n; i++) {
                    int row = first + i;
                    EnsembleOutput o = outputs[row / MAX_BATCH_ROWS];
                    logits[i] = o.row(row % MAX_BATCH_ROWS);
                    embeddings[i] = o.embedding(row % MAX_BATCH_ROWS);
                    windows.add(calibrator.apply(o, row % MAX_BATCH_ROWS, spec.labels(), spec.defaultTemperature(),
                            temperature));
                }
                GenrePrediction combined = Combiner.combine(p.file(), spec.windowing().combine(), windows);
                // The batch's run time is shared out by windows, so per-file timings add up to the whole.
                long share = runNanos * n / rows.size();
                out.add(new Result(p.file(), new TrackAnalysis(p.file(), p.audio(), combined, windows,
                        new TrackAnalysis.Timings(p.decodeNanos(), p.featuresNanos(), share + System.nanoTime() - c0),
                        vectors(model, p, embeddings)), logits, null));
            } catch (TemperedException e) {
                out.add(new Result(p.file(), null, null, e));
            } catch (RuntimeException e) {
                out.add(new Result(p.file(), null, null,
                        new TemperedException(p.file(), "calibration failed: " + e.getMessage(), e)));
            }
        }
        return out;
    }

    /** The package's embedding where its graph has one, else the front end's vectors unless they are raw audio. */
    private static TrackAnalysis.Vectors vectors(EnsembleModel model, Prepared p, float[][] embeddings) {
        if (!model.embeddingNames().isEmpty()) {
            return new TrackAnalysis.Vectors(model.embeddingNames(), embeddings);
        }
        if (p.featureNames().size() > MAX_KEPT_VECTOR || p.features().length == 0
                || p.features()[0].length != p.featureNames().size()) {
            return TrackAnalysis.Vectors.NONE;
        }
        return new TrackAnalysis.Vectors(p.featureNames(), p.features());
    }

    static String reason(AudioException e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
