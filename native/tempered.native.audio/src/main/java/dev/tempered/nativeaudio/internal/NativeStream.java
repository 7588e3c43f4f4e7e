package dev.tempered.nativeaudio.internal;

import com.sun.jna.Pointer;
import dev.tempered.api.audio.AudioException;

/** One open native decoder handle: seek, read interleaved float frames, close exactly once. */
interface NativeStream extends AutoCloseable {
    int sampleRate();

    int channels();

    /** Frames the container declares, or -1 when unknown. */
    long declaredFrames();

    /** Whether {@link #declaredFrames()} is exact, so that decoding fewer frames means the file is truncated. */
    boolean exactLength();

    /** Positions the stream so the next read starts at this frame. */
    void seek(long frame) throws AudioException;

    /**
     * Reads up to {@code maxFrames} frames into {@code buffer}, which holds at least {@code maxFrames * channels}
     * floats.
     *
     * @return frames read; 0 at the end of the stream
     */
    int read(Pointer buffer, int maxFrames) throws AudioException;

    @Override
    void close();
}
