package dev.tempered.library.internal;

import dev.tempered.api.TemperedException;
import dev.tempered.api.analysis.TrackAnalysis;
import dev.tempered.api.analysis.TrackAnalyzer;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.calibration.Calibrator;
import dev.tempered.api.features.FrontEnd;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelRepository;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Analyses whole tracks: decode the model's windows, front end, ensemble, calibration, combination. */
@Component(service = TrackAnalyzer.class)
public final class TrackAnalyzerComponent implements TrackAnalyzer {
    /** Files whose windows go through the model in one batch in {@link #analyzeAll}. */
    static final int FILES_PER_BATCH = 16;

    private final FrontEnds frontEnds = new FrontEnds();
    private final AnalysisEngine engine;

    @Activate
    public TrackAnalyzerComponent(@Reference ModelRepository models, @Reference AudioLoader loader,
            @Reference Calibrator calibrator) {
        this.engine = new AnalysisEngine(models, loader, calibrator, frontEnds);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    public void addFrontEnd(FrontEnd frontEnd) {
        frontEnds.add(frontEnd);
    }

    public void removeFrontEnd(FrontEnd frontEnd) {
        frontEnds.remove(frontEnd);
    }

    @Override
    public TrackAnalysis analyze(Path file, String modelId) throws TemperedException {
        Outcome o = analyzeAll(List.of(file), modelId).get(0);
        if (o.failure() != null) {
            throw o.failure();
        }
        return o.analysis();
    }

    @Override
    public List<Outcome> analyzeAll(List<Path> files, String modelId) {
        List<Outcome> out = new ArrayList<>(files.size());
        // One lease and one temperature for the whole call: every file is analysed by the same model version
        // and calibration, even while a .cfg is edited.
        try (ModelLease lease = engine.lease(modelId)) {
            double temperature = engine.pinTemperature(lease.model().spec());
            for (int i = 0; i < files.size(); i += FILES_PER_BATCH) {
                List<Path> chunk = files.subList(i, Math.min(files.size(), i + FILES_PER_BATCH));
                List<AnalysisEngine.Prepared> prepared = new ArrayList<>();
                Outcome[] slot = new Outcome[chunk.size()];
                for (int k = 0; k < chunk.size(); k++) {
                    try {
                        prepared.add(engine.prepare(chunk.get(k), lease.model().spec()));
                    } catch (TemperedException e) {
                        slot[k] = new Outcome(chunk.get(k), null, e);
                    }
                }
                List<AnalysisEngine.Result> results = engine.infer(lease.model(), prepared, temperature);
                int r = 0;
                for (int k = 0; k < chunk.size(); k++) {
                    if (slot[k] == null) {
                        AnalysisEngine.Result res = results.get(r++);
                        slot[k] = new Outcome(res.file(), res.analysis(), res.failure());
                    }
                    out.add(slot[k]);
                }
            }
        } catch (TemperedException e) {
            for (int k = out.size(); k < files.size(); k++) {
                out.add(new Outcome(files.get(k), null, new TemperedException(files.get(k), e.getMessage(), e)));
            }
        }
        return out;
    }
}
