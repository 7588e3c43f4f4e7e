package dev.tempered.features.internal;

import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.features.FrontEnd;
import java.util.List;
import java.util.stream.IntStream;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The librosa-compatible 57-descriptor front end that the GTZAN descriptor models ask for. */
@Component(service = FrontEnd.class, configurationPid = LibrosaFrontEnd.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL,
        property = "tempered.frontend=" + LibrosaFrontEnd.TYPE)
@Designate(ocd = LibrosaFrontEnd.Config.class)
public final class LibrosaFrontEnd implements FrontEnd {
    static final String TYPE = "librosa-descriptors";
    static final String PID = "dev.tempered.features.librosa";

    private static final Logger LOG = LoggerFactory.getLogger(LibrosaFrontEnd.class);

    /** Where librosa's defaults changed between releases. */
    @ObjectClassDefinition(name = "Tempered librosa descriptors",
            description = "The 57 GTZAN descriptors computed as librosa does.")
    public @interface Config {
        @AttributeDefinition(description = "Which librosa release to follow: LIBROSA_0_8 (reflect padding, "
                + "the GTZAN CSV's era; closest to the shipped CSV) or LIBROSA_0_10 (zero padding).")
        String profile() default "LIBROSA_0_8";

        @AttributeDefinition(description = "Estimate the tuning before chroma, as librosa's chroma_stft does "
                + "by default; false uses A440 and saves a pass over the spectrogram.")
        boolean estimateTuning() default true;

        @AttributeDefinition(description = "Spread the HPSS median filters and inverse transforms of one clip"
                + " over the common fork-join pool (identical results). Off by default: a request's segments"
                + " already run in parallel, and the gain has not been measured on an idle multi-core machine.")
        boolean parallel() default false;
    }

    private volatile LibrosaDescriptors descriptors;

    @Activate
    public LibrosaFrontEnd(Config config) {
        modified(config);
    }

    /** For tests and plain Java use, with the defaults. */
    public LibrosaFrontEnd() {
        this.descriptors = new LibrosaDescriptors(LibrosaDescriptors.Profile.LIBROSA_0_8, true, false);
    }

    @Modified
    void modified(Config config) {
        LibrosaDescriptors.Profile profile;
        try {
            profile = LibrosaDescriptors.Profile.valueOf(config.profile().trim());
        } catch (IllegalArgumentException e) {
            LOG.warn("Unknown librosa profile '{}', using LIBROSA_0_8", config.profile());
            profile = LibrosaDescriptors.Profile.LIBROSA_0_8;
        }
        descriptors = new LibrosaDescriptors(profile, config.estimateTuning(), config.parallel());
        LOG.debug("librosa descriptors: profile {}, tuning estimation {}, parallel {}", profile,
                config.estimateTuning(), config.parallel());
    }

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
        return LibrosaDescriptors.NAMES;
    }

    @Override
    public float[][] compute(DecodedAudio audio) {
        if (audio.channels() != 1) {
            throw new IllegalArgumentException("expected mono audio, got " + audio.channels() + " channels");
        }
        if (audio.sampleRate() != sampleRate()) {
            throw new IllegalArgumentException(
                    "expected " + sampleRate() + " Hz, got " + audio.sampleRate() + " Hz");
        }
        LibrosaDescriptors current = descriptors;
        List<DecodedAudio.Segment> segments = audio.segments();
        for (int i = 0; i < segments.size(); i++) {
            DecodedAudio.Segment segment = segments.get(i);
            if (segment.length() == 0) {
                throw new IllegalArgumentException("segment " + i + " at " + segment.startSeconds() + " s is empty");
            }
        }
        float[][] out = new float[segments.size()][];
        // Segments are independent clips (a track's analysis windows): on a multi-core machine they run side
        // by side in the common pool; one segment stays on the caller's thread.
        IntStream indices = IntStream.range(0, segments.size());
        (segments.size() > 1 ? indices.parallel() : indices).forEach(i -> {
            double[] values = current.compute(segments.get(i).samples());
            float[] row = new float[values.length];
            for (int j = 0; j < values.length; j++) {
                row[j] = (float) values[j];
            }
            out[i] = row;
        });
        return out;
    }
}
