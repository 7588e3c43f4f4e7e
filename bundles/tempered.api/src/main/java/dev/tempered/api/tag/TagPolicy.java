package dev.tempered.api.tag;

/**
 * What to write, decided per file from the calibrated confidence.
 *
 * @param minConfidence    the genre is written only when the confidence reaches this, in [0, 1]
 * @param belowThreshold   what to do below it
 * @param existingGenre    what to do with a genre already in the file
 * @param preserveModified whether a written file keeps its previous modification time
 */
public record TagPolicy(double minConfidence, BelowThreshold belowThreshold, ExistingGenre existingGenre,
        boolean preserveModified) {
    public TagPolicy {
        if (!(minConfidence >= 0 && minConfidence <= 1)) {
            throw new IllegalArgumentException("min confidence must be in [0, 1]: " + minConfidence);
        }
    }

    /** The defaults: 0.5, review below it, replace an existing genre, keep modification times. */
    public static TagPolicy defaults() {
        return new TagPolicy(0.5, BelowThreshold.REVIEW, ExistingGenre.REPLACE, true);
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
        /** Leave it; write only Tempered's fields. */
        KEEP,
        /** Overwrite it. */
        REPLACE,
        /** Add ours as a further value unless it is already there. */
        APPEND
    }
}
