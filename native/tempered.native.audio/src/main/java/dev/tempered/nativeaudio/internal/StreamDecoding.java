package dev.tempered.nativeaudio.internal;

import com.sun.jna.Memory;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The decoding loop both native decoders share: whole file or seek-and-read per window, in native format. */
final class StreamDecoding {
    /** Frames per native read: large enough that JNA's per-call cost vanishes, small enough to stay in cache. */
    static final int CHUNK_FRAMES = 16_384;
    /** Java arrays stop a little below 2^31 elements. */
    static final long MAX_SAMPLES = Integer.MAX_VALUE - 16L;
    /** A decoder may legitimately come up this many frames short of the header (encoder padding, rounding). */
    private static final double SHORTFALL_TOLERANCE_SECONDS = 0.1;
    /**
     * A whole decode never holds more than this many samples (1 GiB of floats, about 50 minutes of 44.1 kHz
     * stereo): longer audio is analysed in time windows, and a file whose header hides its length (a crafted
     * last Ogg granule, an unknown stream length) cannot make one decode take the whole heap.
     */
    static final long MAX_WHOLE_SAMPLES = 1L << 28;
    /** An exact header may be this far short of what the stream really holds (padding, a last partial page). */
    private static final double EXCESS_TOLERANCE_SECONDS = 1.0;

    private StreamDecoding() {
    }

    static DecodedAudio decode(Path file, AudioInfo info, NativeStream stream, DecodeRequest request)
            throws AudioException {
        int channels = stream.channels();
        int rate = stream.sampleRate();
        List<DecodedAudio.Segment> segments = new ArrayList<>();
        try (Memory chunk = new Memory((long) CHUNK_FRAMES * channels * Float.BYTES)) {
            if (request.windows().isEmpty()) {
                long declared = stream.declaredFrames();
                float[] all = readFrames(file, stream, chunk, Long.MAX_VALUE, wholeLimit(stream));
                long got = all.length / channels;
                if (stream.exactLength() && declared > 0
                        && declared - got > SHORTFALL_TOLERANCE_SECONDS * rate) {
                    throw new CorruptAudioException(file, String.format(
                            "truncated or damaged: the header declares %.2f s but only %.2f s could be decoded",
                            declared / (double) rate, got / (double) rate));
                }
                if (got == 0) {
                    throw new CorruptAudioException(file, "no audio could be decoded");
                }
                segments.add(new DecodedAudio.Segment(0, all));
            } else {
                long known = stream.declaredFrames();
                for (DecodeRequest.TimeRange w : request.windows()) {
                    long start = Math.round(w.startSeconds() * rate);
                    long want = Math.max(1, Math.round(w.durationSeconds() * rate));
                    if (known >= 0 && start >= known) {
                        segments.add(new DecodedAudio.Segment(start / (double) rate, new float[0]));
                        continue;
                    }
                    stream.seek(start);
                    segments.add(new DecodedAudio.Segment(start / (double) rate,
                            readFrames(file, stream, chunk, want, Long.MAX_VALUE)));
                }
            }
        }
        return new DecodedAudio(info, rate, channels, segments);
    }

    /**
     * How many frames a whole decode may deliver before it is refused: what an exact header declares (plus a
     * second), a generous multiple of an estimated length (MP3 and ADTS estimates come from the first frames'
     * bit rate), and never more than {@link #MAX_WHOLE_SAMPLES}.
     */
    static long wholeLimit(NativeStream stream) {
        long declared = stream.declaredFrames();
        long rate = stream.sampleRate();
        long cap = MAX_WHOLE_SAMPLES / stream.channels();
        if (declared <= 0) {
            return cap;
        }
        long allowed = stream.exactLength()
                ? declared + Math.round(EXCESS_TOLERANCE_SECONDS * rate)
                : declared * 8 + 60 * rate;
        return Math.min(cap, allowed);
    }

    /**
     * Reads up to {@code maxFrames}; more than {@code limitFrames} delivered means the file is not what its
     * header says (or too long to hold whole) and is refused before the buffer can grow further.
     */
    private static float[] readFrames(Path file, NativeStream stream, Memory chunk, long maxFrames, long refuseAbove)
            throws AudioException {
        int channels = stream.channels();
        long declared = stream.declaredFrames();
        long limitFrames = Math.min(Math.min(maxFrames, MAX_SAMPLES / channels), refuseAbove);
        // The header only sizes the first allocation; a lying header cannot make us allocate more than we read.
        long guess = declared > 0 ? Math.min(declared, limitFrames) : 1 << 20;
        float[] out = new float[(int) Math.min(Math.min(guess, maxFrames) * channels, 1L << 24)];
        long frames = 0;
        while (frames < maxFrames) {
            int want = (int) Math.min(CHUNK_FRAMES, maxFrames - frames);
            int n = stream.read(chunk, want);
            if (n <= 0) {
                break;
            }
            long needed = (frames + n) * channels;
            if (frames + n > refuseAbove) {
                int rate = stream.sampleRate();
                throw new CorruptAudioException(file, declared > 0 && refuseAbove < MAX_WHOLE_SAMPLES / channels
                        ? String.format("damaged or crafted: the header declares %.2f s but the stream holds more"
                                + " than %.2f s of audio", declared / (double) rate, refuseAbove / (double) rate)
                        : String.format("too long to decode whole (over %.0f s of audio); request time windows"
                                + " instead", refuseAbove / (double) rate));
            }
            if (needed > MAX_SAMPLES) {
                throw new UnsupportedAudioException(file, "too long to decode whole (over " + limitFrames
                        + " frames); request time windows instead");
            }
            if (needed > out.length) {
                // Growth stops at the limit: the buffer is never larger than what may legitimately be delivered.
                long grown = Math.min(Math.min(MAX_SAMPLES, limitFrames * channels), Math.max(needed, out.length * 2L));
                out = Arrays.copyOf(out, (int) grown);
            }
            chunk.read(0, out, (int) (frames * channels), n * channels);
            frames += n;
        }
        long used = frames * channels;
        return used == out.length ? out : Arrays.copyOf(out, (int) used);
    }
}
