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

    private StreamDecoding() {
    }

    static DecodedAudio decode(Path file, AudioInfo info, NativeStream stream, DecodeRequest request)
            throws AudioException {
        int channels = stream.channels();
        int rate = stream.sampleRate();
        List<DecodedAudio.Segment> segments = new ArrayList<>();
        try (Memory chunk = new Memory((long) CHUNK_FRAMES * channels * Float.BYTES)) {
            if (request.windows().isEmpty()) {
                float[] all = readFrames(file, stream, chunk, Long.MAX_VALUE);
                long got = all.length / channels;
                long declared = stream.declaredFrames();
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
                            readFrames(file, stream, chunk, want)));
                }
            }
        }
        return new DecodedAudio(info, rate, channels, segments);
    }

    private static float[] readFrames(Path file, NativeStream stream, Memory chunk, long maxFrames)
            throws AudioException {
        int channels = stream.channels();
        long declared = stream.declaredFrames();
        long limitFrames = Math.min(maxFrames, MAX_SAMPLES / channels);
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
            if (needed > MAX_SAMPLES) {
                throw new UnsupportedAudioException(file, "too long to decode whole (over " + limitFrames
                        + " frames); request time windows instead");
            }
            if (needed > out.length) {
                out = Arrays.copyOf(out, (int) Math.min(MAX_SAMPLES, Math.max(needed, out.length * 2L)));
            }
            chunk.read(0, out, (int) (frames * channels), n * channels);
            frames += n;
        }
        long used = frames * channels;
        return used == out.length ? out : Arrays.copyOf(out, (int) used);
    }
}
