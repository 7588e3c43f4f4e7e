package dev.tempered.api.library;

import dev.tempered.api.tag.GenreNames;
import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The tagging defaults a librarian sets once in {@code $TEMPERED_HOME/tempered.conf}; a setting the file does not
 * give is null. A choice made for one run (a command-line option) wins over these, and these win over the built-in
 * defaults and the model's configured {@code min.confidence}.
 *
 * @param minConfidence the apply threshold ({@code min.confidence})
 * @param minSuggest    the suggest threshold ({@code min.suggest})
 * @param genre         what happens to a genre a file already has ({@code genre})
 * @param genreNames    the genre vocabulary, loaded from the map file named by {@code genre.map}
 * @param keepModified  whether written files keep their modification time ({@code mtime = keep|update})
 * @param model         the model to tag with ({@code model})
 * @param source        the file these came from, for messages; null when there is none
 * @since 1.2
 */
public record TaggingDefaults(@Nullable Double minConfidence, @Nullable Double minSuggest,
        TagPolicy.@Nullable ExistingGenre genre, @Nullable GenreNames genreNames, @Nullable Boolean keepModified,
        @Nullable String model, @Nullable Path source) {
    /** No file, nothing set. */
    public static TaggingDefaults none() {
        return new TaggingDefaults(null, null, null, null, null, null, null);
    }

    /**
     * The policy of one run: each choice given for it (null: not given) over these defaults over the built-in ones.
     *
     * @throws IllegalArgumentException when the result is inconsistent (a suggest threshold above the apply one)
     */
    public TagPolicy policy(@Nullable Double minConfidence, @Nullable Double minSuggest,
            TagPolicy.@Nullable ExistingGenre genre, @Nullable GenreNames genreNames, @Nullable Boolean keepModified) {
        TagPolicy d = TagPolicy.defaults();
        double min = pick(minConfidence, this.minConfidence, d.minConfidence());
        double suggest = pick(minSuggest, this.minSuggest, d.suggestConfidence());
        return new TagPolicy(min, d.belowThreshold(), pick(genre, this.genre, d.existingGenre()),
                pick(keepModified, this.keepModified, d.preserveModified()), suggest,
                pick(genreNames, this.genreNames, d.genreNames()));
    }

    /** The model of one run: the one given for it, else the configured one, else null (the active model). */
    public @Nullable String model(@Nullable String given) {
        return given != null ? given : model;
    }

    private static <T> T pick(@Nullable T given, @Nullable T configured, T builtIn) {
        return given != null ? given : configured != null ? configured : builtIn;
    }
}
