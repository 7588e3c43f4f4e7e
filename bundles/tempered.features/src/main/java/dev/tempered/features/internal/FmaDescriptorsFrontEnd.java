package dev.tempered.features.internal;

import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.features.FrontEnd;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.osgi.service.component.annotations.Component;

/**
 * The 46 librosa descriptors of the FMA-small packages: zero-crossing rate, spectral centroid and rolloff, and
 * 20 MFCCs (mean and population variance of each), in the FMA descriptor CSV's column order.
 *
 * <p>A type of its own rather than {@code librosa-descriptors} with a feature list from the package: the
 * {@link FrontEnd} contract fixes a type's names, so evaluate, the index and the pipeline can pick a CSV's
 * columns and check a package's input size by type alone, and this set skips chroma, HPSS and tempo, most
 * of the 57-descriptor work. The values are {@link LibrosaDescriptors}' with librosa 0.8's reflect padding
 * (checked against the FMA CSV by FmaFidelityTest); tuning estimation only concerns chroma, which is not here.
 */
@Component(service = FrontEnd.class, property = "tempered.frontend=" + FmaDescriptorsFrontEnd.TYPE)
public final class FmaDescriptorsFrontEnd implements FrontEnd {
    static final String TYPE = "librosa-descriptors-46";

    /** Descriptor names in the FMA CSV's column order. */
    static final List<String> NAMES;
    private static final int[] INDEX;

    static {
        List<String> names = new ArrayList<>();
        for (String base : List.of("zero_crossing_rate", "spectral_centroid", "rolloff")) {
            names.add(base + "_mean");
            names.add(base + "_var");
        }
        for (int i = 1; i <= LibrosaDescriptors.N_MFCC; i++) {
            names.add("mfcc" + i + "_mean");
            names.add("mfcc" + i + "_var");
        }
        NAMES = Collections.unmodifiableList(names);
        INDEX = names.stream().mapToInt(LibrosaDescriptors.NAMES::indexOf).toArray();
    }

    private final LibrosaDescriptors descriptors =
            new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, false, false);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int sampleRate() {
        return LibrosaDescriptors.SAMPLE_RATE;
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
        if (audio.sampleRate() != sampleRate()) {
            throw new IllegalArgumentException("expected " + sampleRate() + " Hz, got " + audio.sampleRate() + " Hz");
        }
        List<DecodedAudio.Segment> segments = audio.segments();
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i).length() == 0) {
                throw new IllegalArgumentException("segment " + i + " at " + segments.get(i).startSeconds()
                        + " s is empty");
            }
        }
        float[][] out = new float[segments.size()][];
        IntStream indices = IntStream.range(0, segments.size());
        (segments.size() > 1 ? indices.parallel() : indices).forEach(i -> {
            double[] all = descriptors.compute(segments.get(i).samples(), false);
            float[] row = new float[INDEX.length];
            for (int j = 0; j < INDEX.length; j++) {
                row[j] = (float) all[INDEX[j]];
            }
            out[i] = row;
        });
        return out;
    }
}
