package dev.tempered.nativeaudio.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.LongByReference;

/** libsoxr's one-shot resampler (soxr.h, 0.1.x); size_t is mapped to long, true on the LP64 Linux we ship for. */
interface LibSoxr extends Library {
    static LibSoxr load() {
        return Native.load("soxr", LibSoxr.class);
    }

    /** soxr.h's 'High quality' recipe: 20-bit precision, pass band to 0.913 of Nyquist. */
    long SOXR_HQ = 4;

    String soxr_version();

    /** {@code soxr_quality_spec_t}. */
    @Structure.FieldOrder({"precision", "phase_response", "passband_end", "stopband_begin", "e", "flags"})
    class QualitySpec extends Structure {
        public double precision;
        public double phase_response;
        public double passband_end;
        public double stopband_begin;
        public Pointer e;
        public NativeLong flags;

        /** Returned by value from {@link #soxr_quality_spec}. */
        public static class ByValue extends QualitySpec implements Structure.ByValue {
        }
    }

    /** The quality spec of a recipe ({@link #SOXR_HQ}) with the library's defaults for the rest. */
    QualitySpec.ByValue soxr_quality_spec(NativeLong recipe, NativeLong flags);

    /**
     * Null io and runtime specs select float32 interleaved I/O and one thread. A null quality spec would select
     * soxr_oneshot's own default, which is the LOW quality recipe (soxr.h), not HQ: pass one.
     *
     * @return null on success, else an error message
     */
    String soxr_oneshot(double inputRate, double outputRate, int channels, float[] in, long inLength,
            LongByReference inDone, float[] out, long outLength, LongByReference outDone, Pointer ioSpec,
            QualitySpec qualitySpec, Pointer runtimeSpec);
}
