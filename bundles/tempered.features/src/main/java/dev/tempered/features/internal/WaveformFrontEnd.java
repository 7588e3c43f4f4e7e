package dev.tempered.features.internal;

import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.features.FrontEnd;
import java.util.AbstractList;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/**
 * The raw-audio front end of models whose graph computes its own spectrogram (the Choi et al. transfer convnet):
 * each window as 12 kHz mono samples, cut or zero-padded to 29 s, as the convnet's authors fed their clips.
 */
@Component(service = FrontEnd.class, property = "tempered.frontend=" + WaveformFrontEnd.TYPE)
public final class WaveformFrontEnd implements FrontEnd {
    static final String TYPE = "waveform";
    static final int SAMPLE_RATE = 12_000;
    static final int SECONDS = 29;
    static final int LENGTH = SAMPLE_RATE * SECONDS;

    /** The value names, made on demand: 348,000 strings would cost memory for nothing. */
    private static final List<String> NAMES = new AbstractList<>() {
        @Override
        public String get(int index) {
            if (index < 0 || index >= LENGTH) {
                throw new IndexOutOfBoundsException(index);
            }
            return "sample" + index;
        }

        @Override
        public int size() {
            return LENGTH;
        }
    };

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int sampleRate() {
        return SAMPLE_RATE;
    }

    @Override
    public List<String> featureNames() {
        return NAMES;
    }

    @Override
    public float[][] compute(DecodedAudio audio) {
        if (audio.channels() != 1) {
            throw new IllegalArgumentException("expected mono audio, got " + audio.channels() + " channels");
        }
        if (audio.sampleRate() != SAMPLE_RATE) {
            throw new IllegalArgumentException("expected " + SAMPLE_RATE + " Hz, got " + audio.sampleRate() + " Hz");
        }
        List<DecodedAudio.Segment> segments = audio.segments();
        float[][] out = new float[segments.size()][];
        for (int i = 0; i < out.length; i++) {
            DecodedAudio.Segment s = segments.get(i);
            if (s.length() == 0) {
                throw new IllegalArgumentException("segment " + i + " at " + s.startSeconds() + " s is empty");
            }
            float[] row = new float[LENGTH];
            s.copyTo(0, row, 0, Math.min(LENGTH, s.length()));
            out[i] = row;
        }
        return out;
    }
}
