package dev.tempered.api.tag;

/**
 * The names of the fields Tempered writes besides the standard genre field. In ID3 they are {@code TXXX}
 * frames with these descriptions; in Vorbis comments (FLAC, Ogg, Opus) fields with these names; in MP4
 * freeform atoms {@code ----:com.apple.iTunes:<name>}.
 */
public final class TagFields {
    /** The calibrated confidence of the top genre, written as a decimal in [0, 1] with 4 digits. */
    public static final String CONFIDENCE = "TEMPERED_CONFIDENCE";
    /** The candidate distribution: {@code label=p;label=p;...} in decreasing probability, 4 digits, top 5. */
    public static final String DISTRIBUTION = "TEMPERED_DISTRIBUTION";
    /** The model and temperature: {@code id@version T=1.2345}. */
    public static final String MODEL = "TEMPERED_MODEL";
    /** {@code review} when the confidence was below the policy threshold and the genre was not written. */
    public static final String STATUS = "TEMPERED_STATUS";

    private TagFields() {
    }
}
