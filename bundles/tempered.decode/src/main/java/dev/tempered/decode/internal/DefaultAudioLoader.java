package dev.tempered.decode.internal;

import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import dev.tempered.nativeaudio.Resampler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recognises files by content, asks the highest-ranked decoder claiming the container (falling back to the
 * next when one says it cannot read the file), then downmixes and resamples to what the request asked for.
 */
@Component(service = AudioLoader.class)
public final class DefaultAudioLoader implements AudioLoader {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultAudioLoader.class);
    private static final Comparator<Entry> ORDER = Comparator.comparingInt(Entry::ranking).reversed()
            .thenComparingLong(Entry::serviceId);

    private record Entry(AudioDecoder decoder, int ranking, long serviceId) {
    }

    private final Resampler resampler;
    private final List<Entry> decoders = new CopyOnWriteArrayList<>();

    @Activate
    public DefaultAudioLoader(@Reference(name = "resampler") Resampler resampler) {
        this.resampler = resampler;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addDecoder(AudioDecoder decoder, Map<String, Object> properties) {
        Object r = properties.get(Constants.SERVICE_RANKING);
        Object id = properties.get(Constants.SERVICE_ID);
        add(decoder, r instanceof Integer i ? i : 0, id instanceof Long l ? l : Long.MAX_VALUE);
    }

    void removeDecoder(AudioDecoder decoder) {
        decoders.removeIf(e -> e.decoder() == decoder);
        LOG.info("decoder {} removed", decoder.name());
    }

    /** Adds a decoder outside a framework (tests, tools); a higher ranking is asked first. */
    public void add(AudioDecoder decoder, int ranking, long serviceId) {
        synchronized (decoders) {
            decoders.add(new Entry(decoder, ranking, serviceId));
            List<Entry> sorted = new ArrayList<>(decoders);
            sorted.sort(ORDER);
            // CopyOnWriteArrayList: readers iterate a snapshot, so replacing the content is safe for them.
            decoders.clear();
            decoders.addAll(sorted);
        }
        LOG.info("decoder {} (ranking {}) claims {}", decoder.name(), ranking, decoder.formats());
    }

    @Override
    public AudioInfo probe(Path file) throws AudioException {
        try (PathAlias alias = alias(file)) {
            AudioInfo info = probeNamed(alias.path());
            return alias.path().equals(file) ? info : renamed(info, file);
        }
    }

    @Override
    public DecodedAudio load(Path file, DecodeRequest request) throws AudioException {
        try (PathAlias alias = alias(file)) {
            DecodedAudio a = loadNamed(alias.path(), request);
            return alias.path().equals(file) ? a
                    : new DecodedAudio(renamed(a.info(), file), a.sampleRate(), a.channels(), a.segments());
        }
    }

    /** A name the native decoders can open (see {@link PathAlias}). */
    private static PathAlias alias(Path file) throws AudioException {
        try {
            return PathAlias.of(file);
        } catch (IOException e) {
            throw new dev.tempered.api.audio.UnsupportedAudioException(file, "its name is not valid in this system's "
                    + "encoding and no link to it could be made: " + e.getMessage());
        }
    }

    private static AudioInfo renamed(AudioInfo i, Path file) {
        return new AudioInfo(file, i.container(), i.codec(), i.sampleRate(), i.channels(), i.frames(),
                i.durationSeconds(), i.decoder());
    }

    private AudioInfo probeNamed(Path file) throws AudioException {
        Sniffer.Sniffed what = sniff(file);
        UnsupportedAudioException last = null;
        CorruptAudioException damaged = null;
        for (AudioDecoder d : candidates(file, what)) {
            try {
                return d.probe(file);
            } catch (UnsupportedAudioException e) {
                last = e;
            } catch (CorruptAudioException e) {
                // See load: a decoder that cannot open a file lets the next claimant try.
                if (damaged == null) {
                    damaged = e;
                }
            } catch (RuntimeException e) {
                throw decoderBug(file, d, e);
            }
        }
        if (damaged != null) {
            throw damaged;
        }
        throw last;
    }

    private DecodedAudio loadNamed(Path file, DecodeRequest request) throws AudioException {
        Sniffer.Sniffed what = sniff(file);
        UnsupportedAudioException last = null;
        CorruptAudioException damaged = null;
        for (AudioDecoder d : candidates(file, what)) {
            DecodedAudio raw;
            try {
                raw = d.decode(file, request);
            } catch (UnsupportedAudioException e) {
                LOG.debug("{} cannot read {}, trying the next decoder: {}", d.name(), file, e.getMessage());
                last = e;
                continue;
            } catch (CorruptAudioException e) {
                // One decoder's "cannot open" is not the file's verdict: FFmpeg refuses Ogg streams that repeat
                // their headers behind a negative granule (hyperrogue's music, which sox and libsndfile play). Damage
                // found while decoding (a stream longer or shorter than its header says) stops the search: another
                // decoder with laxer checks must not accept what the first one bounded. If every claimant refuses,
                // the first, highest-ranked verdict is the one reported.
                if (!cannotOpen(d, file)) {
                    throw e;
                }
                LOG.debug("{} refused {} as damaged, trying the next decoder: {}", d.name(), file, e.getMessage());
                if (damaged == null) {
                    damaged = e;
                }
                continue;
            } catch (RuntimeException e) {
                throw decoderBug(file, d, e);
            }
            if (damaged != null) {
                LOG.info("{}: decoded by {} after another decoder refused it: {}", file, d.name(), damaged.getMessage());
            }
            return convert(file, raw, request);
        }
        if (damaged != null) {
            throw damaged;
        }
        throw last;
    }

    /** Whether the decoder refuses the file already when opening it (its headers), not while decoding. */
    private static boolean cannotOpen(AudioDecoder d, Path file) {
        try {
            d.probe(file);
            return false;
        } catch (CorruptAudioException e) {
            return true;
        } catch (AudioException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public boolean isAudio(Path file) {
        try {
            Sniffer.Sniffed what = sniff(file);
            return !claimants(what.container()).isEmpty();
        } catch (AudioException e) {
            return false;
        }
    }

    private Sniffer.Sniffed sniff(Path file) throws AudioException {
        if (file == null) {
            throw new IllegalArgumentException("file is null");
        }
        FileChecks.requireRegularFile(file);
        Sniffer.Sniffed what;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            if (ch.size() == 0) {
                throw new CorruptAudioException(file, "file is empty (0 bytes)");
            }
            what = Sniffer.sniff(file, ch);
        } catch (IOException e) {
            throw FileChecks.ioFailure(file, e);
        }
        if (what == null) {
            throw new UnsupportedAudioException(file, "not a recognised audio format" + extensionHint(file));
        }
        return what;
    }

    private static String extensionHint(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : " (the name ends in " + name.substring(dot)
                + " but the content is not audio in a format Tempered reads)";
    }

    private List<AudioDecoder> claimants(String container) {
        List<AudioDecoder> out = new ArrayList<>();
        for (Entry e : decoders) {
            if (e.decoder().formats().contains(container)) {
                out.add(e.decoder());
            }
        }
        return out;
    }

    private List<AudioDecoder> candidates(Path file, Sniffer.Sniffed what) throws UnsupportedAudioException {
        List<AudioDecoder> c = claimants(what.container());
        if (c.isEmpty()) {
            throw new UnsupportedAudioException(file, "no installed decoder reads " + what.container()
                    + (what.codec() == null ? "" : " (" + what.codec() + ")") + " files");
        }
        return c;
    }

    private static CorruptAudioException decoderBug(Path file, AudioDecoder d, RuntimeException e) {
        LOG.warn("decoder {} failed unexpectedly on {}", d.name(), file, e);
        return new CorruptAudioException(file, "decoder " + d.name() + " failed: " + e, 0, e);
    }

    private DecodedAudio convert(Path file, DecodedAudio raw, DecodeRequest request) throws AudioException {
        int inRate = raw.sampleRate();
        int outRate = request.sampleRate() == 0 ? inRate : request.sampleRate();
        int inChannels = raw.channels();
        if (inRate <= 0 || inChannels <= 0) {
            throw new CorruptAudioException(file, "decoder returned " + inRate + " Hz, " + inChannels + " channels");
        }
        int outChannels = request.mono() ? 1 : inChannels;
        if (outRate == inRate && outChannels == inChannels) {
            return raw;
        }
        List<DecodedAudio.Segment> out = new ArrayList<>(raw.segments().size());
        for (DecodedAudio.Segment s : raw.segments()) {
            float[] pcm = s.samples();
            if (pcm.length % inChannels != 0) {
                throw new CorruptAudioException(file, "decoder returned a partial frame");
            }
            if (request.mono()) {
                pcm = Conversion.downmix(pcm, inChannels);
            }
            pcm = resampler.resample(pcm, outChannels, inRate, outRate);
            out.add(new DecodedAudio.Segment(s.startSeconds(), pcm));
        }
        return new DecodedAudio(raw.info(), outRate, outChannels, out);
    }
}
