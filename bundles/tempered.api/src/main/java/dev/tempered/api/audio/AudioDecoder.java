package dev.tempered.api.audio;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A decoder provider, registered as a service; many may be present. The service property
 * {@code service.ranking} orders them and {@link #formats()} says which containers each claims.
 *
 * <p>Implementations are thread-safe: one instance decodes many files at once. They must never crash the
 * JVM on bad input: a native decoder validates what it passes to native code.
 */
@ConsumerType
public interface AudioDecoder {
    /** A short name for reports, e.g. {@code libsndfile} or {@code ffmpeg}. */
    String name();

    /** The containers this decoder reads, as in {@link AudioInfo#container()}. */
    java.util.Set<String> formats();

    /**
     * Reads the header of a file.
     *
     * @throws UnsupportedAudioException if this decoder cannot read it
     * @throws CorruptAudioException     if the file is missing, empty, truncated or damaged
     */
    AudioInfo probe(Path file) throws AudioException;

    /**
     * Decodes the requested ranges. Decoders may return the file's own rate and channel layout; the
     * {@link AudioLoader} converts to what the request asked for.
     */
    DecodedAudio decode(Path file, DecodeRequest request) throws AudioException;
}
