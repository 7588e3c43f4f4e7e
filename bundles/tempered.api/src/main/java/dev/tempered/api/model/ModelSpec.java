package dev.tempered.api.model;

import dev.tempered.api.ModelRef;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model package's {@code model.json} declares.
 *
 * @param ref                the id and version
 * @param task               the task the model serves, e.g. {@code genre}
 * @param name               a human-readable name
 * @param labels             class labels in output order; never empty
 * @param sampleRate         the audio sample rate in Hz the front end expects
 * @param frontEnd           the front-end type (see {@code FrontEnd#type()})
 * @param windowing          how a track is cut into analysis windows and how their results are combined
 * @param inputName          the ONNX input name
 * @param inputShape         the ONNX input shape, -1 for the batch axis
 * @param outputName         the ONNX output name; its shape is {@code [batch, members, classes]}
 * @param members            members per run (ensemble size; 1 for a single network)
 * @param mcDropoutPasses    stochastic passes per input for MC dropout, 0 when the graph is deterministic;
 *                           the passes are stacked as members
 * @param defaultTemperature the temperature shipped with the package, fitted on its validation data; &gt; 0
 * @param provenance         free-form facts about the training (data, split, seeds, metrics)
 */
public record ModelSpec(ModelRef ref, String task, String name, List<String> labels, int sampleRate, String frontEnd,
        Windowing windowing, String inputName, List<Long> inputShape, String outputName, int members,
        int mcDropoutPasses, double defaultTemperature, Map<String, Object> provenance) {
    public ModelSpec {
        Objects.requireNonNull(ref, "ref");
        labels = List.copyOf(labels);
        inputShape = List.copyOf(inputShape);
        provenance = Map.copyOf(provenance);
        if (labels.isEmpty()) {
            throw new IllegalArgumentException(ref + ": no labels");
        }
        if (members < 1 || mcDropoutPasses < 0) {
            throw new IllegalArgumentException(ref + ": members must be >= 1 and passes >= 0");
        }
        if (!(defaultTemperature > 0) || Double.isInfinite(defaultTemperature)) {
            throw new IllegalArgumentException(ref + ": default temperature must be positive and finite");
        }
    }

    /** The number of member distributions one input yields (members, times passes under MC dropout). */
    public int effectiveMembers() {
        return mcDropoutPasses > 0 ? members * mcDropoutPasses : members;
    }

    /**
     * How a track becomes analysis windows.
     *
     * @param windowSeconds length of one window
     * @param maxWindows    at most this many windows per track, spread evenly from start to end
     * @param combine       how window results are combined; {@code mean-probability} averages the calibrated
     *                      distributions
     */
    public record Windowing(double windowSeconds, int maxWindows, String combine) {
        public Windowing {
            if (!(windowSeconds > 0) || maxWindows < 1) {
                throw new IllegalArgumentException("bad windowing " + windowSeconds + " s x " + maxWindows);
            }
        }
    }
}
