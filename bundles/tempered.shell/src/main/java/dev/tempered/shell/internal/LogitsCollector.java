package dev.tempered.shell.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.calibration.LabelledLogits;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.api.plugin.ProgressMonitor;
import dev.tempered.api.tag.TagWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Raw member logits of a selection's analysis windows, labelled with each file's genre tag. Fitting needs the
 * logits themselves: a calibrated prediction of an ensemble cannot be turned back into them.
 */
final class LogitsCollector {
    private final AudioLoader loader;
    private final TagWriter tags;

    LogitsCollector(AudioLoader loader, TagWriter tags) {
        this.loader = loader;
        this.tags = tags;
    }

    /**
     * What was collected.
     *
     * @param data      one row per analysis window
     * @param files     files that contributed, with their window counts
     * @param failures  files left out, with the reason
     * @param cancelled whether the monitor stopped it
     */
    record Collected(LabelledLogits data, Map<Path, Integer> files, Map<Path, String> failures, boolean cancelled) {
    }

    Collected collect(EnsembleModel model, FrontEnd frontEnd, List<Path> files, ProgressMonitor monitor) {
        ModelSpec spec = model.spec();
        List<double[][]> logits = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<Path, Integer> used = new LinkedHashMap<>();
        Map<Path, String> failures = new LinkedHashMap<>();
        boolean cancelled = false;
        for (int i = 0; i < files.size(); i++) {
            if (monitor.isCancelled()) {
                cancelled = true;
                break;
            }
            Path file = files.get(i);
            monitor.progress(i, files.size(), Selection.name(file));
            try {
                int label = GenreTags.truth(tags, file, spec.labels());
                AudioInfo info = loader.probe(file);
                DecodedAudio audio = loader.load(file, new DecodeRequest(frontEnd.sampleRate(), true,
                        windows(info.durationSeconds(), spec.windowing())));
                float[][] features = frontEnd.compute(audio);
                EnsembleOutput out = model.run(features);
                for (int r = 0; r < out.batch(); r++) {
                    logits.add(out.row(r));
                    truth.add(label);
                    names.add(Selection.name(file) + "#" + r);
                }
                used.put(file, out.batch());
            } catch (TemperedException e) {
                failures.put(file, e.getMessage());
            } catch (RuntimeException e) {
                failures.put(file, String.valueOf(e));
            }
        }
        monitor.progress(files.size(), files.size(), "");
        int[] t = truth.stream().mapToInt(Integer::intValue).toArray();
        LabelledLogits data = new LabelledLogits(spec.labels(), logits.toArray(new double[0][][]), t, names);
        return new Collected(data, used, failures, cancelled);
    }

    /**
     * The model's analysis windows of a track, placed as the track analyser places them, so T is fitted on the
     * windows it will be applied to: a track no longer than one window is read whole (an empty list); a longer
     * one gets as many windows as cover it, at most {@code maxWindows}, spread evenly from start to end.
     */
    static List<DecodeRequest.TimeRange> windows(double duration, ModelSpec.Windowing w) {
        double len = w.windowSeconds();
        if (!(duration > len)) {
            return List.of();
        }
        int n = Math.max(1, Math.min(w.maxWindows(), (int) Math.ceil(duration / len)));
        List<DecodeRequest.TimeRange> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double start = n == 1 ? (duration - len) / 2 : i * (duration - len) / (n - 1);
            out.add(new DecodeRequest.TimeRange(start, len));
        }
        return out;
    }
}
