package dev.tempered.library.internal;

import dev.tempered.api.audio.DecodedAudio;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether the audio a model was given can carry a genre at all. A model asked about silence or a click still
 * answers, often with full confidence (the GTZAN models say "classical 100%"), so too little or silent audio is a
 * decision of its own: review, with the reason, and never a genre written.
 *
 * @param seconds what the decoder really delivered (not what the header claims)
 * @param rmsDbfs the RMS level of those samples in dB relative to full scale; negative infinity for zeros
 * @param peak    the largest absolute sample
 */
record AudioSufficiency(double seconds, double rmsDbfs, double peak) {
    /** Under one second no model window holds enough music to tell a genre (GTZAN clips are 30 s). */
    static final double MIN_SECONDS = 1.0;
    /** An RMS below -60 dBFS over every analysed window is room noise or dither, not music. */
    static final double SILENCE_DBFS = -60;
    /** Marks the reason in a result message, so the index keeps the decision for re-calibration and retries. */
    static final String MARK = "not enough audio to tell a genre";

    /** Measures the decoded segments (mono or interleaved, the level is over all samples). */
    static AudioSufficiency of(DecodedAudio audio) {
        double sum = 0;
        double peak = 0;
        long n = 0;
        float[] buf = new float[1 << 14];
        for (DecodedAudio.Segment s : audio.segments()) {
            for (int from = 0; from < s.length(); from += buf.length) {
                int count = Math.min(buf.length, s.length() - from);
                s.copyTo(from, buf, 0, count);
                for (int i = 0; i < count; i++) {
                    double v = buf[i];
                    sum += v * v;
                    peak = Math.max(peak, Math.abs(v));
                }
                n += count;
            }
        }
        double rms = n == 0 ? 0 : Math.sqrt(sum / n);
        return new AudioSufficiency(audio.decodedSeconds(), 20 * Math.log10(rms), peak);
    }

    /** Why no genre may be told from this audio, or empty when it is enough. */
    Optional<String> problem() {
        if (seconds < MIN_SECONDS) {
            return Optional.of(String.format(Locale.ROOT, "%s: only %.3f s of audio decoded (at least %.0f s needed)",
                    MARK, seconds, MIN_SECONDS));
        }
        if (peak == 0) {
            return Optional.of(MARK + ": digital silence (every sample is zero)");
        }
        if (!(rmsDbfs >= SILENCE_DBFS)) {
            return Optional.of(String.format(Locale.ROOT, "%s: silent (RMS %.1f dBFS, below %.0f dBFS)", MARK,
                    rmsDbfs, SILENCE_DBFS));
        }
        return Optional.empty();
    }

    /** The reason recorded in an index message by an earlier run, if it recorded one. */
    static Optional<String> recorded(String message) {
        int at = message == null ? -1 : message.indexOf(MARK);
        return at < 0 ? Optional.empty() : Optional.of(message.substring(at));
    }
}
