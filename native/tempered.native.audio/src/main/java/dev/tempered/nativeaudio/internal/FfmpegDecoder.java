package dev.tempered.nativeaudio.internal;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes through FFmpeg's libraries (via the project's C shim): M4A with AAC or ALAC, and by default Ogg,
 * where it measured faster than libsndfile (docs/benchmarks/decode.md).
 */
@Component(service = AudioDecoder.class, configurationPid = "dev.tempered.decoder.ffmpeg",
        property = "service.ranking:Integer=200")
@Designate(ocd = FfmpegDecoder.Config.class)
public final class FfmpegDecoder implements AudioDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(FfmpegDecoder.class);
    /** The demuxers a file may be opened with; never playlists, concat lists or devices. */
    static final String DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,ogg,mp3,flac,wav,aiff,aac,w64,caf";
    private static final int AVERROR_EOF = -0x20464F45; // FFERRTAG('E','O','F',' ')
    private static final int AVERROR_INVALIDDATA = -0x41444E49; // FFERRTAG('I','N','D','A')
    private static final int AVERROR_DECODER_NOT_FOUND = -0x434544F8; // FFERRTAG(0xF8,'D','E','C')
    private static final int AVERROR_DEMUXER_NOT_FOUND = -0x4D4544F8; // FFERRTAG(0xF8,'D','E','M')
    private static final int AVERROR_PATCHWELCOME = -0x45574150; // FFERRTAG('P','A','W','E')
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int TF_ERR_NOAUDIO = -0x54464e41;
    private static final int TF_ERR_CHANNELS = -0x54464348;
    private static final int MAX_RATE = 1_536_000;

    /** Which containers this decoder claims and its rank among decoders. */
    @ObjectClassDefinition(name = "Tempered FFmpeg decoder",
            description = "Decodes audio through FFmpeg's libavformat/libavcodec (packages libavformat59, libavcodec59).")
    public @interface Config {
        @AttributeDefinition(description = "Containers this decoder claims: mp4, aac, ogg, flac, wav, aiff, mp3.")
        String[] formats() default {"mp4", "aac", "ogg"};

        @AttributeDefinition(name = "service.ranking",
                description = "Order among decoders claiming the same container; the highest is tried first.")
        int service_ranking() default 200;
    }

    private final FfmpegShim lib;
    private final Set<String> formats;

    @Activate
    public FfmpegDecoder(Config config) {
        this(Set.of(config.formats()));
    }

    /** For use outside a framework. */
    public FfmpegDecoder(Set<String> formats) {
        this.lib = FfmpegShim.load();
        this.formats = Set.copyOf(formats);
        int v = lib.tf_version();
        LOG.info("FFmpeg decoder ready: libavformat {}.{}.{}, formats {}", v >> 16, (v >> 8) & 0xff, v & 0xff,
                this.formats);
    }

    @Override
    public String name() {
        return "ffmpeg";
    }

    @Override
    public Set<String> formats() {
        return formats;
    }

    @Override
    public AudioInfo probe(Path file) throws AudioException {
        try (Stream s = open(file)) {
            return s.info;
        }
    }

    @Override
    public DecodedAudio decode(Path file, DecodeRequest request) throws AudioException {
        try (Stream s = open(file)) {
            return StreamDecoding.decode(file, s.info, s, request);
        }
    }

    private String message(int code) {
        byte[] buf = new byte[256];
        lib.tf_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.UTF_8);
    }

    private AudioException openError(Path file, int code) {
        String why = "FFmpeg cannot open it: " + message(code);
        if (code == -ENOENT) {
            return new CorruptAudioException(file, "file not found", code, null);
        }
        if (code == -EACCES) {
            return new CorruptAudioException(file, "cannot be read: permission denied", code, null);
        }
        if (code == AVERROR_INVALIDDATA || code == AVERROR_EOF) {
            return new CorruptAudioException(file, why + " (damaged or truncated)", code, null);
        }
        if (code == TF_ERR_NOAUDIO || code == TF_ERR_CHANNELS || code == AVERROR_DECODER_NOT_FOUND
                || code == AVERROR_DEMUXER_NOT_FOUND || code == AVERROR_PATCHWELCOME) {
            return new UnsupportedAudioException(file, why, code, null);
        }
        return new CorruptAudioException(file, why, code, null);
    }

    private Stream open(Path file) throws AudioException {
        NativeFiles.requireReadableFile(file);
        IntByReference err = new IntByReference();
        Pointer handle = lib.tf_open(NativeFiles.cPath(file), DEMUXERS, err);
        if (handle == null) {
            throw openError(file, err.getValue());
        }
        NativeHandles.opened();
        Stream s = new Stream(file, handle);
        try {
            s.validate();
            return s;
        } catch (AudioException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static String container(String demuxer) {
        if (demuxer == null) {
            return "unknown";
        }
        if (demuxer.startsWith("mov,")) {
            return "mp4";
        }
        return switch (demuxer) {
            case "w64" -> "wav";
            default -> demuxer;
        };
    }

    private final class Stream implements NativeStream {
        private final Path file;
        private Pointer handle;
        private AudioInfo info;
        private int rate;
        private int channels;
        private long frames;

        Stream(Path file, Pointer handle) {
            this.file = file;
            this.handle = handle;
        }

        void validate() throws AudioException {
            rate = lib.tf_sample_rate(handle);
            channels = lib.tf_channels(handle);
            if (rate <= 0 || rate > MAX_RATE || channels <= 0) {
                throw new CorruptAudioException(file, "implausible stream: " + rate + " Hz, " + channels + " channels");
            }
            frames = lib.tf_frames(handle);
            info = new AudioInfo(file, container(lib.tf_container(handle)), lib.tf_codec(handle), rate, channels,
                    frames, frames < 0 ? 0 : frames / (double) rate, name());
        }

        @Override
        public int sampleRate() {
            return rate;
        }

        @Override
        public int channels() {
            return channels;
        }

        @Override
        public long declaredFrames() {
            return frames;
        }

        @Override
        public boolean exactLength() {
            // MP4 sample tables, Ogg granule positions, FLAC STREAMINFO and PCM sizes give exact lengths, so a
            // whole decode that falls short means damage (a bad Ogg page silently ends the stream otherwise).
            // MP3 and ADTS durations are estimates from the bit rate.
            return switch (info.container()) {
                case "mp4", "ogg", "flac", "wav", "aiff" -> true;
                default -> false;
            };
        }

        @Override
        public void seek(long frame) throws AudioException {
            requireOpen();
            int r = lib.tf_seek(handle, frame);
            if (r < 0) {
                throw new CorruptAudioException(file, "seek to frame " + frame + " failed: " + message(r), r, null);
            }
        }

        @Override
        public int read(Pointer buffer, int maxFrames) throws AudioException {
            requireOpen();
            if (maxFrames <= 0 || buffer == null) {
                throw new IllegalArgumentException("bad read of " + maxFrames + " frames");
            }
            int n = lib.tf_read(handle, buffer, maxFrames);
            if (n < 0) {
                throw new CorruptAudioException(file, "decoding failed: " + message(n), n, null);
            }
            if (n > maxFrames) {
                throw new IllegalStateException("shim returned " + n + " frames for " + maxFrames);
            }
            return n;
        }

        private void requireOpen() {
            if (handle == null) {
                throw new IllegalStateException("stream already closed");
            }
        }

        @Override
        public void close() {
            if (handle != null) {
                lib.tf_close(handle);
                handle = null;
                NativeHandles.closed();
            }
        }
    }
}
