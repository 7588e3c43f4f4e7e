package dev.tempered.api.training;

import dev.tempered.api.library.LabelSource;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What to train.
 *
 * @param data        a folder of labelled music
 * @param labelsFrom  {@link LabelSource#FOLDERS}: a track's label is the name of the first folder under
 *                    {@code data} on its path; {@link LabelSource#TAGS}: its genre tag
 * @param labelsMap   names (folder names or genre tags, compared ignoring case) to the labels to learn; empty to
 *                    learn the names as they are; when given, a name not in it is reported and its tracks left out
 * @param id          the new package's id (letters, digits, {@code .}, {@code _}, {@code -})
 * @param backbone    the installed package whose embedding the heads learn from, e.g. {@code choi-gtzan}
 * @param members     heads in the deep ensemble
 * @param seed        the seed of the split, initialisation, shuffling and bootstrap: the same seed on the same data
 *                    gives the same package, byte for byte
 * @param holdout     the fraction of albums held out, half to fit T on, half to measure on (0.2..0.8)
 * @param epochs      passes over the training part per head
 * @param hidden      units in each head's hidden layer
 * @param output      where the package folder goes; empty for the watched models folder
 *                    ({@code $TEMPERED_HOME/deploy/models})
 * @param report      a folder for the reliability diagram (PNG), if wanted
 * @param mcPasses    0 for a deep ensemble of {@code members} heads; otherwise the seed paper's MC-dropout variant:
 *                    one head trained with dropout {@value #MC_DROPOUT_RATE} on its hidden layer, kept active at
 *                    inference and run {@code mcPasses} times per window (2..100; {@code members} is then unused)
 * @since 1.0
 */
public record TrainingRequest(Path data, LabelSource labelsFrom, Map<String, String> labelsMap, String id,
        String backbone, int members, long seed, double holdout, int epochs, int hidden, Optional<Path> output,
        Optional<Path> report, int mcPasses) {
    /** The dropout rate of an MC-dropout head (the rate of the paper's heads and of choi-gtzan-mcd). @since 1.1 */
    public static final double MC_DROPOUT_RATE = 0.5;
    /** The default backbone: the convnet of the default model. */
    public static final String DEFAULT_BACKBONE = "choi-gtzan";

    public TrainingRequest {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(labelsFrom, "labelsFrom");
        labelsMap = Map.copyOf(labelsMap);
        Objects.requireNonNull(backbone, "backbone");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(report, "report");
        if (labelsFrom == LabelSource.NONE) {
            throw new IllegalArgumentException("training needs labels: from folders or from tags");
        }
        if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("the id '" + id + "' must be 1-64 letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit");
        }
        if (members < 1 || members > 20) {
            throw new IllegalArgumentException("members must be 1..20, not " + members);
        }
        if (!(holdout >= 0.2 && holdout <= 0.8)) {
            throw new IllegalArgumentException("holdout must be 0.2..0.8, not " + holdout);
        }
        if (epochs < 1 || epochs > 10_000 || hidden < 1 || hidden > 4096) {
            throw new IllegalArgumentException("epochs must be 1..10000 and hidden 1..4096");
        }
        if (mcPasses != 0 && (mcPasses < 2 || mcPasses > 100)) {
            throw new IllegalArgumentException("MC-dropout passes must be 2..100, not " + mcPasses);
        }
    }

    /** A deep ensemble (the 1.0 form of this record). */
    public TrainingRequest(Path data, LabelSource labelsFrom, Map<String, String> labelsMap, String id,
            String backbone, int members, long seed, double holdout, int epochs, int hidden, Optional<Path> output,
            Optional<Path> report) {
        this(data, labelsFrom, labelsMap, id, backbone, members, seed, holdout, epochs, hidden, output, report, 0);
    }

    /** Whether this trains the MC-dropout variant. @since 1.1 */
    public boolean mcDropout() {
        return mcPasses > 0;
    }

    /** This request training the MC-dropout variant with {@code passes} passes. @since 1.1 */
    public TrainingRequest withMcDropout(int passes) {
        return new TrainingRequest(data, labelsFrom, labelsMap, id, backbone, members, seed, holdout, epochs, hidden,
                output, report, passes);
    }

    /** The defaults for everything but the data, labels and id: 5 heads of 64 units, seed 1, 40 % held out. */
    public static TrainingRequest of(Path data, LabelSource labelsFrom, String id) {
        return new TrainingRequest(data, labelsFrom, Map.of(), id, DEFAULT_BACKBONE, 5, 1, 0.4, 200, 64,
                Optional.empty(), Optional.empty());
    }

    /** This request with another seed. */
    public TrainingRequest withSeed(long newSeed) {
        return new TrainingRequest(data, labelsFrom, labelsMap, id, backbone, members, newSeed, holdout, epochs,
                hidden, output, report, mcPasses);
    }

    /** This request writing its package into another folder. */
    public TrainingRequest withOutput(Path folder) {
        return new TrainingRequest(data, labelsFrom, labelsMap, id, backbone, members, seed, holdout, epochs, hidden,
                Optional.of(folder), report, mcPasses);
    }
}
