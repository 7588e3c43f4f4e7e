package dev.tempered.api.tag;

import dev.tempered.api.calibration.GenrePrediction;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Writes calibrated genre tags safely: to a temporary file beside the original, verified (tags read back,
 * audio unchanged), then renamed over it atomically. A file that could not be written is left byte for byte
 * as it was. Thread-safe for different files; writes to one file are serialised.
 */
@ProviderType
public interface TagWriter {
    /** Whether this writer handles the file's format (judged by content). */
    boolean supports(Path file);

    /** Decides what would be written, reading but never changing the file. */
    TagPlan plan(Path file, GenrePrediction prediction, TagPolicy policy) throws TagException;

    /**
     * What {@link #plan} would decide, for a dry run: the same decision, fields and reason, without fingerprinting
     * the whole file (reading every byte) to guard a later write. Meant to be shown, not applied: applied, it is
     * checked like a plan made by another writer (the tags must still be what it saw), not byte for byte.
     */
    default TagPlan preview(Path file, GenrePrediction prediction, TagPolicy policy) throws TagException {
        return plan(file, prediction, policy);
    }

    /**
     * Carries out a plan. A {@link TagPlan.Decision#SKIP} plan returns at once with {@code written == false}.
     *
     * @throws TagException if the file changed since planning, is read-only, the disk is full, or verification
     *                      failed; the original is then untouched
     */
    TagResult apply(TagPlan plan) throws TagException;

    /**
     * Plans a change a person asked for (accepting, rejecting or clearing a suggestion), carried out by
     * {@link #apply} through the same safe write and journal as every other write.
     *
     * @param genres           the genre values to write, or empty to leave the genre field as it is
     * @param fields           Tempered's fields to set, by {@link TagFields} name; an empty value removes the field
     * @param preserveModified whether the file keeps its modification time
     * @since 1.1
     */
    default TagPlan planEdit(Path file, java.util.List<String> genres, Map<String, String> fields, String reason,
            boolean preserveModified) throws TagException {
        throw new TagException(file, "this tag writer cannot make edits");
    }

    /** Reads the genre ({@code GENRE}) and Tempered's fields as they are in the file now. */
    Map<String, String> read(Path file) throws TagException;
}
