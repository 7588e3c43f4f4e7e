package dev.tempered.api.tag;

import dev.tempered.api.tag.TagPlan.Decision;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What to write, decided per file from the calibrated confidence and the genre the file already has. This record
 * is the one place the decision is made: the tag writer plans with it, for the command line, the Gogo commands
 * and the host actions alike.
 *
 * @param minConfidence     the "apply" threshold: the genre field is written only when the confidence reaches it,
 *                          in [0, 1]; NaN means "not given": the model's configured {@code min.confidence}, else
 *                          {@value #DEFAULT_MIN_CONFIDENCE} (see {@link #withConfigured})
 * @param belowThreshold    what to do below it
 * @param existingGenre     what to do with a genre already in the file
 * @param preserveModified  whether a written file keeps its previous modification time (false: it gets a new one,
 *                          so that tools which sync by size and time, such as beets, notice the change)
 * @param suggestConfidence the "suggest" threshold, at most {@code minConfidence}: between the two our suggestion is
 *                          written to Tempered's own fields marked for review; below it nothing is written
 * @param genreNames        how a label is written into the genre field
 * @since 1.1
 */
public record TagPolicy(double minConfidence, BelowThreshold belowThreshold, ExistingGenre existingGenre,
        boolean preserveModified, double suggestConfidence, GenreNames genreNames) {
    /** The apply threshold when neither the caller nor the model's configuration gives one. */
    public static final double DEFAULT_MIN_CONFIDENCE = 0.5;

    public TagPolicy {
        Objects.requireNonNull(belowThreshold, "belowThreshold");
        Objects.requireNonNull(existingGenre, "existingGenre");
        Objects.requireNonNull(genreNames, "genreNames");
        if (!Double.isNaN(minConfidence) && !(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("min confidence must be in [0, 1]: " + minConfidence);
        }
        if (!(suggestConfidence >= 0 && suggestConfidence <= 1)) {
            throw new IllegalArgumentException("suggest confidence must be in [0, 1]: " + suggestConfidence);
        }
        if (!Double.isNaN(minConfidence) && suggestConfidence > minConfidence) {
            throw new IllegalArgumentException("the suggest threshold " + suggestConfidence
                    + " is above the apply threshold " + minConfidence);
        }
    }

    /** A policy with no suggest threshold and the built-in genre names (the 1.0 form). */
    public TagPolicy(double minConfidence, BelowThreshold belowThreshold, ExistingGenre existingGenre,
            boolean preserveModified) {
        this(minConfidence, belowThreshold, existingGenre, preserveModified, 0, GenreNames.defaults());
    }

    /**
     * The defaults: the model's configured threshold (else 0.5), review below it, an existing genre kept (ours goes
     * into files without one), a new modification time, the built-in genre names.
     */
    public static TagPolicy defaults() {
        return new TagPolicy(Double.NaN, BelowThreshold.REVIEW, ExistingGenre.FILL_EMPTY, false, 0,
                GenreNames.defaults());
    }

    /** The apply threshold in effect: {@link #minConfidence}, or the default when it was not given. */
    public double threshold() {
        return Double.isNaN(minConfidence) ? DEFAULT_MIN_CONFIDENCE : minConfidence;
    }

    /**
     * This policy with the threshold configured for the model ({@code min.confidence} in its {@code .cfg}) filled in
     * where the caller gave none; a threshold given by the caller wins.
     */
    public TagPolicy withConfigured(OptionalDouble configured) {
        if (!Double.isNaN(minConfidence) || configured.isEmpty()) {
            return this;
        }
        double min = configured.getAsDouble();
        return new TagPolicy(min, belowThreshold, existingGenre, preserveModified, Math.min(suggestConfidence, min),
                genreNames);
    }

    /** This policy with another apply threshold. */
    public TagPolicy withMinConfidence(double min) {
        return new TagPolicy(min, belowThreshold, existingGenre, preserveModified, suggestConfidence, genreNames);
    }

    /** Write (genre allowed), review (our fields only, marked) or skip (nothing), from the confidence alone. */
    public Decision decide(double confidence) {
        if (confidence >= threshold()) {
            return Decision.WRITE;
        }
        if (belowThreshold == BelowThreshold.REVIEW && confidence >= suggestConfidence) {
            return Decision.REVIEW;
        }
        return Decision.SKIP;
    }

    /**
     * What the genre field becomes for a confident suggestion.
     *
     * @param genres   the values the file's genre field should have; empty: leave it as it is
     * @param conflict whether the file keeps a genre that is not our suggestion (a person should look at it)
     * @param reason   in words
     */
    public record GenreOutcome(List<String> genres, boolean conflict, String reason) {
        public GenreOutcome {
            genres = List.copyOf(genres);
        }
    }

    /**
     * Decides the genre field for a confident suggestion.
     *
     * @param existing        the file's genre values now
     * @param label           our top label (the model's vocabulary; written through {@link #genreNames})
     * @param editedByPerson  whether someone changed the genre since Tempered last wrote it: then it is never
     *                        overwritten, whatever the policy says
     */
    public GenreOutcome genre(List<String> existing, String label, boolean editedByPerson) {
        String ours = genreNames.name(label);
        boolean has = existing.stream().anyMatch(g -> genreNames.means(g, label));
        String theirs = String.join("; ", existing);
        if (existing.isEmpty()) {
            return existingGenre == ExistingGenre.KEEP
                    ? new GenreOutcome(List.of(), false, "no genre; suggestion " + ours + " in Tempered's fields only")
                    : new GenreOutcome(List.of(ours), false, "genre " + ours);
        }
        if (has && existingGenre != ExistingGenre.REPLACE) {
            return new GenreOutcome(List.of(), false, "genre " + theirs + " already says " + ours);
        }
        if (editedByPerson) {
            return new GenreOutcome(List.of(), !has, "genre " + theirs + " was changed by someone since Tempered "
                    + "wrote it: kept (suggestion " + ours + ")");
        }
        return switch (existingGenre) {
            case REPLACE -> existing.size() == 1 && existing.get(0).equals(ours)
                    ? new GenreOutcome(List.of(), false, "genre " + ours + " already there")
                    : new GenreOutcome(List.of(ours), false, "genre " + ours + " replaces " + theirs);
            case APPEND -> {
                List<String> g = new ArrayList<>(existing);
                g.add(ours);
                yield new GenreOutcome(g, false, "genre " + ours + " appended to " + theirs);
            }
            default -> new GenreOutcome(List.of(), true, "existing genre " + theirs + " kept (suggestion " + ours
                    + ")");
        };
    }

    /** What happens below the threshold. */
    public enum BelowThreshold {
        /** Write only Tempered's own fields, with status {@code review}; leave the genre alone. */
        REVIEW,
        /** Write nothing. */
        SKIP
    }

    /** What happens to a genre the file already has. */
    public enum ExistingGenre {
        /** Never touch the genre field; our suggestion goes into Tempered's own fields only. */
        KEEP,
        /** Overwrite it (unless someone changed it since Tempered wrote it). */
        REPLACE,
        /** Add ours as a further value unless it is already there. */
        APPEND,
        /** Write ours only into a file without a genre; an existing genre stays. @since 1.1 */
        FILL_EMPTY
    }
}
