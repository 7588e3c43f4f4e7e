package dev.tempered.api.audio;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The one service consumers use to read audio: it recognises the file by content, picks the
 * highest-ranked decoder for it, and returns exactly what the request asked for (rate, mono, ranges).
 * Thread-safe.
 */
@ProviderType
public interface AudioLoader {
    /** Recognises and describes a file. */
    AudioInfo probe(Path file) throws AudioException;

    /** Decodes, downmixes and resamples as requested. */
    DecodedAudio load(Path file, DecodeRequest request) throws AudioException;

    /** Whether some installed decoder claims this file, judged by content. Never throws. */
    boolean isAudio(Path file);
}
