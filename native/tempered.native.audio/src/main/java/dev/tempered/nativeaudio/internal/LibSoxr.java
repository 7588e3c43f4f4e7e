package dev.tempered.nativeaudio.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

/** libsoxr's one-shot resampler (soxr.h, 0.1.x); size_t is mapped to long, true on the LP64 Linux we ship for. */
interface LibSoxr extends Library {
    static LibSoxr load() {
        return Native.load("soxr", LibSoxr.class);
    }

    String soxr_version();

    /**
     * Null specs select float32 interleaved I/O, high quality and one thread.
     *
     * @return null on success, else an error message
     */
    String soxr_oneshot(double inputRate, double outputRate, int channels, float[] in, long inLength,
            LongByReference inDone, float[] out, long outLength, LongByReference outDone, Pointer ioSpec,
            Pointer qualitySpec, Pointer runtimeSpec);
}
