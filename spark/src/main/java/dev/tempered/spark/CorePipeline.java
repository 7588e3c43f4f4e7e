package dev.tempered.spark;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.model.ModelSpec;
import dev.tempered.calibration.internal.TemperatureCalibrator;
import dev.tempered.decode.internal.DefaultAudioLoader;
import dev.tempered.features.internal.FmaDescriptorsFrontEnd;
import dev.tempered.features.internal.LibrosaFrontEnd;
import dev.tempered.features.internal.WaveformFrontEnd;
import dev.tempered.inference.internal.DefaultModelRepository;
import dev.tempered.inference.internal.RunnerOptions;
import dev.tempered.library.internal.TrackAnalyzerComponent;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import dev.tempered.nativeaudio.internal.SoxrResampler;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The analysis pipeline (native decoders, front ends, ONNX Runtime ensemble, temperature calibration) wired
 * without OSGi, with the same classes and the same defaults as the application's components: decoder formats and
 * ranks as in their {@code Config} defaults, the package's default temperature.
 */
public final class CorePipeline implements AutoCloseable {
    private final DefaultModelRepository repository;
    private final TrackAnalyzerComponent analyzer;
    private final ModelSpec spec;
    private final DefaultAudioLoader loader;

    private CorePipeline(DefaultModelRepository repository, TrackAnalyzerComponent analyzer, ModelSpec spec,
            DefaultAudioLoader loader) {
        this.repository = repository;
        this.analyzer = analyzer;
        this.spec = spec;
        this.loader = loader;
    }

    /**
     * The application's collection tagger over this pipeline's parts (its index in {@code indexDir}): what
     * {@code tempered tag} runs, for comparing with the Spark table and applying it without a framework.
     */
    public dev.tempered.api.library.CollectionTagger tagger(Path indexDir,
            dev.tempered.api.tag.TagWriter writer, dev.tempered.api.tag.TagJournal journal) {
        return dev.tempered.library.internal.CollectionTaggerComponent.standalone(repository, loader,
                new TemperatureCalibrator(), indexDir, writer, journal, java.util.List.of(new WaveformFrontEnd(),
                        new LibrosaFrontEnd(), new FmaDescriptorsFrontEnd()));
    }

    /** Installs and activates one model package (directory or .zip) and wires the rest around it. */
    public static CorePipeline open(Path modelPackage) throws TemperedException {
        DefaultModelRepository repository = new DefaultModelRepository(RunnerOptions.defaults(), r -> { });
        try {
            ModelSpec installed = repository.install(modelPackage);
            ModelSpec spec = repository.activate(installed.ref().id(), installed.ref().version());
            // Ranks and formats are those of FfmpegDecoder.Config and SndfileDecoder.Config.
            DefaultAudioLoader loader = new DefaultAudioLoader(new SoxrResampler());
            loader.add(new FfmpegDecoder(Set.of("mp4", "aac", "ogg")), 200, 1);
            loader.add(new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg")), 100, 2);
            TrackAnalyzerComponent analyzer = new TrackAnalyzerComponent(repository, loader,
                    new TemperatureCalibrator());
            analyzer.addFrontEnd(new WaveformFrontEnd());
            analyzer.addFrontEnd(new LibrosaFrontEnd());
            analyzer.addFrontEnd(new FmaDescriptorsFrontEnd());
            return new CorePipeline(repository, analyzer, spec, loader);
        } catch (TemperedException e) {
            repository.close();
            throw new TemperedException(modelPackage, "cannot load the model package: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    /** One outcome per file, in order; a file that fails is an outcome with its failure. */
    public List<TrackAnalyzer.Outcome> analyzeAll(List<Path> files) {
        return analyzer.analyzeAll(files, spec.ref().id());
    }

    @Override
    public void close() {
        repository.close();
    }
}
