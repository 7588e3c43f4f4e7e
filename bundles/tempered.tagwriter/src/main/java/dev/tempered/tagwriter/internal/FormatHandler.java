package dev.tempered.tagwriter.internal;

import java.io.IOException;
import java.nio.file.Path;

/** Reads and writes the tags of one container format; never called on the original when writing. */
interface FormatHandler {
    TagValues read(Path file) throws IOException;

    /**
     * Creates {@code target} (which does not exist yet) as a copy of {@code source} with the change made.
     * {@code source} is only read.
     */
    void write(Path source, Path target, TagChange change) throws IOException;

    /** A digest of the bytes that make the sound (codec setup and audio frames), which a tag write must not change. */
    byte[] payloadDigest(Path file) throws IOException;
}
