package dev.tempered.api.calibration;

import dev.tempered.api.ModelRef;
import java.util.List;
import java.util.Objects;

/**
 * A calibrated genre distribution for one track or window, attributed to the model and temperature used.
 *
 * @param model             the model id@version that produced the logits
 * @param temperature       the temperature applied, &gt; 0
 * @param labels            class labels, in the order of {@code probabilities}
 * @param probabilities     calibrated probabilities, each in [0, 1], summing to 1 (copied in and out)
 * @param topLabel          the label with the highest probability
 * @param confidence        the highest probability, in [1/classes, 1]
 * @param entropy           predictive entropy of {@code probabilities} in nats, in [0, ln(classes)]
 * @param mutualInformation the members' disagreement: predictive entropy minus the mean of the members'
 *                          entropies, in nats, &ge; 0 (0 for a single deterministic member)
 */
public record GenrePrediction(ModelRef model, double temperature, List<String> labels, double[] probabilities,
        String topLabel, double confidence, double entropy, double mutualInformation) {
    public GenrePrediction {
        Objects.requireNonNull(model, "model");
        labels = List.copyOf(labels);
        probabilities = probabilities.clone();
        if (labels.size() != probabilities.length) {
            throw new IllegalArgumentException("labels and probabilities differ in length");
        }
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    /** The probability of one label, or 0 if the label is unknown. */
    public double probability(String label) {
        int i = labels.indexOf(label);
        return i < 0 ? 0 : probabilities[i];
    }

    /** {@code id@version T=1.234}: how results are attributed in tags, reports and logs. */
    public String attribution() {
        return model + " T=" + String.format(java.util.Locale.ROOT, "%.4f", temperature);
    }

    /**
     * Builds a prediction from a distribution, computing top label, confidence and entropy.
     *
     * @param mutualInformation the members' mutual information, computed by the caller
     */
    public static GenrePrediction of(ModelRef model, double temperature, List<String> labels, double[] p,
            double mutualInformation) {
        int top = 0;
        double h = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] > p[top]) {
                top = i;
            }
            if (p[i] > 0) {
                h -= p[i] * Math.log(p[i]);
            }
        }
        return new GenrePrediction(model, temperature, labels, p, labels.get(top), p[top], h,
                Math.max(0, mutualInformation));
    }
}
