package dev.tempered.nativeaudio.internal;

import com.sun.jna.ptr.LongByReference;
import dev.tempered.nativeaudio.Resampler;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resamples with libsoxr's one-shot API and its 'High quality' recipe (package libsoxr0): flat to 0.913 of the
 * new Nyquist frequency. soxr_oneshot's own default is the low-quality recipe, which rolled 12 kHz output off
 * from about 4.5 kHz (-20 dB at 5.4 kHz) and moved the convnet's embedding away from its reference.
 */
@Component(service = Resampler.class)
public final class SoxrResampler implements Resampler {
    private static final Logger LOG = LoggerFactory.getLogger(SoxrResampler.class);
    private final LibSoxr lib;
    private final LibSoxr.QualitySpec quality;

    public SoxrResampler() {
        lib = LibSoxr.load();
        quality = lib.soxr_quality_spec(new com.sun.jna.NativeLong(LibSoxr.SOXR_HQ), new com.sun.jna.NativeLong(0));
        // Written to native memory once; without auto-sync, concurrent calls only read it.
        quality.write();
        quality.setAutoSynch(false);
        LOG.info("soxr resampler ready: {}", lib.soxr_version());
    }

    @Override
    public String name() {
        return "soxr";
    }

    @Override
    public float[] resample(float[] interleaved, int channels, int fromRate, int toRate) {
        if (channels <= 0 || fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("bad resampling " + channels + " ch " + fromRate + " -> " + toRate);
        }
        if (interleaved.length % channels != 0) {
            throw new IllegalArgumentException(interleaved.length + " samples are not whole frames of " + channels);
        }
        if (fromRate == toRate) {
            return interleaved;
        }
        long inFrames = interleaved.length / channels;
        long outFrames = Math.round(inFrames * (double) toRate / fromRate);
        if (outFrames * channels > Integer.MAX_VALUE - 16L) {
            throw new IllegalArgumentException("resampled signal too long: " + outFrames + " frames");
        }
        float[] out = new float[(int) (outFrames * channels)];
        if (inFrames == 0 || outFrames == 0) {
            return out;
        }
        LongByReference done = new LongByReference();
        String error = lib.soxr_oneshot(fromRate, toRate, channels, interleaved, inFrames, null, out, outFrames, done,
                null, quality, null);
        if (error != null) {
            throw new IllegalStateException("soxr failed: " + error);
        }
        long got = done.getValue();
        if (got < 0 || got > outFrames) {
            throw new IllegalStateException("soxr returned " + got + " frames for " + outFrames);
        }
        // soxr may stop a frame short of the rounded length; the tail stays silent rather than shifting time.
        return out;
    }
}
