package dev.tempered.api.tag;

/**
 * The names of the fields Tempered writes besides the standard genre field. In ID3 they are {@code TXXX}
 * frames with these descriptions; in Vorbis comments (FLAC, Ogg, Opus) fields with these names; in MP4
 * freeform atoms {@code ----:com.apple.iTunes:<name>}.
 */
public final class TagFields {
    /** The key of the standard genre field in the maps {@link TagWriter#read} and {@link TagPlan#previous} give. @since 1.1 */
    public static final String GENRE = "GENRE";
    /** The calibrated confidence of the top genre, written as a decimal in [0, 1] with 4 digits. */
    public static final String CONFIDENCE = "TEMPERED_CONFIDENCE";
    /** The candidate distribution: {@code label=p;label=p;...} in decreasing probability, 4 digits, top 5. */
    public static final String DISTRIBUTION = "TEMPERED_DISTRIBUTION";
    /** The model and temperature: {@code id@version T=1.2345}. */
    public static final String MODEL = "TEMPERED_MODEL";
    /**
     * {@value #REVIEW} when a person should look at the file (the confidence was below the apply threshold, or the
     * file keeps a genre that differs from our suggestion), {@value #REJECTED} when a person rejected our suggestion:
     * Tempered then leaves the file alone (no run writes it, undo skips it) until the mark is cleared.
     */
    public static final String STATUS = "TEMPERED_STATUS";
    /** Our suggested genre as it would be written (through the genre names), whether or not the genre field got it. @since 1.1 */
    public static final String SUGGESTION = "TEMPERED_GENRE";
    /** {@link #STATUS} value: waiting for a person. @since 1.1 */
    public static final String REVIEW = "review";
    /** {@link #STATUS} value: a person rejected the suggestion; do not touch the file. @since 1.1 */
    public static final String REJECTED = "rejected";

    private TagFields() {
    }

    /**
     * Whether the genre in these tags (as {@link TagWriter#read} returns them) is most likely Tempered's own
     * earlier answer rather than a person's: our fields are present, the file was not left for review, and the
     * genre is the top label of our distribution. Such a genre must not be taken as ground truth for evaluating
     * or calibrating a model, which would then grade its own answers. A person's genre that happens to equal our
     * top label is excluded too; that loses a label, it never invents one.
     */
    public static boolean genreWrittenByTempered(java.util.Map<String, String> tags) {
        String genre = tags.get("GENRE");
        String distribution = tags.get(DISTRIBUTION);
        if (genre == null || distribution == null || tags.get(MODEL) == null || tags.get(STATUS) != null) {
            return false;
        }
        String suggestion = tags.get(SUGGESTION);
        if (suggestion != null) {
            for (String value : genre.split("; ")) {
                if (value.trim().equalsIgnoreCase(suggestion.trim())) {
                    return true;
                }
            }
        }
        int eq = distribution.indexOf('=');
        String top = eq < 0 ? distribution : distribution.substring(0, eq);
        for (String value : genre.split("; ")) {
            if (GenreNames.defaults().means(value, top)) {
                return true;
            }
        }
        return false;
    }
}
