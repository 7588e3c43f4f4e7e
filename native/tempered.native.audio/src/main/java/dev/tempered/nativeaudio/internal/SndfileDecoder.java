package dev.tempered.nativeaudio.internal;

import com.sun.jna.Pointer;
import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import java.nio.file.Path;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Decodes WAV, AIFF, FLAC, Ogg Vorbis/Opus and MP3 through libsndfile. */
@Component(service = AudioDecoder.class, configurationPid = "dev.tempered.decoder.sndfile",
        property = "service.ranking:Integer=100")
@Designate(ocd = SndfileDecoder.Config.class)
public final class SndfileDecoder implements AudioDecoder {
    private static final Logger LOG = LoggerFactory.getLogger(SndfileDecoder.class);
    private static final int MAX_CHANNELS = 64;
    private static final int MAX_RATE = 1_536_000;

    /** Which containers this decoder claims; the loader asks the highest-ranked claimant first. */
    @ObjectClassDefinition(name = "Tempered libsndfile decoder",
            description = "Decodes audio through the system's libsndfile (package libsndfile1).")
    public @interface Config {
        @AttributeDefinition(description = "Containers this decoder claims: wav, aiff, flac, ogg, mp3.")
        String[] formats() default {"wav", "aiff", "flac", "mp3", "ogg"};

        @AttributeDefinition(name = "service.ranking",
                description = "Order among decoders claiming the same container; the highest is tried first.")
        int service_ranking() default 100;
    }

    private final LibSndfile lib;
    private final Set<String> formats;

    @Activate
    public SndfileDecoder(Config config) {
        this(Set.of(config.formats()));
    }

    /** For use outside a framework. */
    public SndfileDecoder(Set<String> formats) {
        this.lib = LibSndfile.load();
        this.formats = Set.copyOf(formats);
        LOG.info("libsndfile decoder ready: {}, formats {}", lib.sf_version_string(), this.formats);
    }

    @Override
    public String name() {
        return "libsndfile";
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

    private Stream open(Path file) throws AudioException {
        NativeFiles.requireReadableFile(file);
        LibSndfile.SfInfo sfinfo = new LibSndfile.SfInfo();
        byte[] path = NativeFiles.cPath(file);
        int fd = -1;
        Pointer handle;
        if (path.length > LibSndfile.MAX_PATH_BYTES) {
            fd = LibC.INSTANCE.open(path, LibC.O_RDONLY_CLOEXEC);
            if (fd < 0) {
                int errno = com.sun.jna.Native.getLastError();
                throw new CorruptAudioException(file, "cannot be opened (errno " + errno + ")", errno, null);
            }
            handle = lib.sf_open_fd(fd, LibSndfile.SFM_READ, sfinfo, 0);
            if (handle == null) {
                LibC.INSTANCE.close(fd);
            }
        } else {
            handle = lib.sf_open(path, LibSndfile.SFM_READ, sfinfo);
        }
        if (handle == null) {
            // Errors of a failed open are kept per process by libsndfile: under concurrency the text may belong
            // to another file's failure, the exception type never does.
            int code = lib.sf_error(null);
            String why = lib.sf_strerror(null);
            throw new UnsupportedAudioException(file, "libsndfile cannot open it: " + why, code, null);
        }
        NativeHandles.opened();
        Stream s = new Stream(file, handle, fd);
        try {
            s.validate(sfinfo);
            return s;
        } catch (AudioException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static String container(int format) {
        return switch (format & LibSndfile.SF_FORMAT_TYPEMASK) {
            case 0x010000, 0x130000, 0x220000, 0x0B0000 -> "wav"; // WAV, WAVEX, RF64, W64
            case 0x020000 -> "aiff";
            case 0x170000 -> "flac";
            case 0x200000 -> "ogg";
            case 0x230000 -> "mp3";
            case 0x180000 -> "caf";
            case 0x030000 -> "au";
            default -> String.format("sndfile-0x%x", format & LibSndfile.SF_FORMAT_TYPEMASK);
        };
    }

    static String codec(int format) {
        if ((format & LibSndfile.SF_FORMAT_TYPEMASK) == 0x170000) {
            return "flac";
        }
        boolean big = (format & LibSndfile.SF_FORMAT_TYPEMASK) == 0x020000;
        String e = big ? "be" : "le";
        return switch (format & LibSndfile.SF_FORMAT_SUBMASK) {
            case 0x0001 -> "pcm_s8";
            case 0x0002 -> "pcm_s16" + e;
            case 0x0003 -> "pcm_s24" + e;
            case 0x0004 -> "pcm_s32" + e;
            case 0x0005 -> "pcm_u8";
            case 0x0006 -> "pcm_f32" + e;
            case 0x0007 -> "pcm_f64" + e;
            case 0x0010 -> "pcm_mulaw";
            case 0x0011 -> "pcm_alaw";
            case 0x0060 -> "vorbis";
            case 0x0064 -> "opus";
            case 0x0080 -> "mp1";
            case 0x0081 -> "mp2";
            case 0x0082 -> "mp3";
            case 0x0070, 0x0071, 0x0072, 0x0073 -> "alac";
            default -> String.format("sndfile-0x%x", format & LibSndfile.SF_FORMAT_SUBMASK);
        };
    }

    private final class Stream implements NativeStream {
        private final Path file;
        private Pointer handle;
        private AudioInfo info;
        private int rate;
        private int channels;
        private long frames;
        private boolean exact;
        private boolean seekable;

        /** The descriptor we opened for a long path (libsndfile does not own it), or -1. */
        private int fd;

        Stream(Path file, Pointer handle, int fd) {
            this.file = file;
            this.handle = handle;
            this.fd = fd;
        }

        void validate(LibSndfile.SfInfo sfinfo) throws AudioException {
            if (sfinfo.channels <= 0 || sfinfo.channels > MAX_CHANNELS) {
                throw new CorruptAudioException(file, "implausible channel count " + sfinfo.channels);
            }
            if (sfinfo.samplerate <= 0 || sfinfo.samplerate > MAX_RATE) {
                throw new CorruptAudioException(file, "implausible sample rate " + sfinfo.samplerate);
            }
            if (sfinfo.frames < 0) {
                throw new CorruptAudioException(file, "implausible length " + sfinfo.frames + " frames");
            }
            rate = sfinfo.samplerate;
            channels = sfinfo.channels;
            // libsndfile reports huge frame counts when a length is unknown (SF_COUNT_MAX) for streams.
            frames = sfinfo.frames >= Long.MAX_VALUE / 4 ? -1 : sfinfo.frames;
            String container = container(sfinfo.format);
            String codec = codec(sfinfo.format);
            // MP3 lengths are estimates unless a Xing header exists; PCM, FLAC and Ogg lengths are exact.
            exact = !container.equals("mp3");
            seekable = sfinfo.seekable != 0;
            info = new AudioInfo(file, container, codec, rate, channels, frames,
                    frames < 0 ? 0 : frames / (double) rate, name());
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
            return exact;
        }

        @Override
        public void seek(long frame) throws AudioException {
            requireOpen();
            if (!seekable) {
                throw new UnsupportedAudioException(file, "libsndfile cannot seek in this file");
            }
            long r = lib.sf_seek(handle, frame, LibSndfile.SEEK_SET);
            if (r < 0) {
                throw new CorruptAudioException(file, "seek to frame " + frame + " failed: "
                        + lib.sf_strerror(handle), lib.sf_error(handle), null);
            }
        }

        @Override
        public int read(Pointer buffer, int maxFrames) throws AudioException {
            requireOpen();
            if (maxFrames <= 0 || buffer == null) {
                throw new IllegalArgumentException("bad read of " + maxFrames + " frames");
            }
            long n = lib.sf_readf_float(handle, buffer, maxFrames);
            if (n < 0 || n > maxFrames) {
                throw new CorruptAudioException(file, "read failed: " + lib.sf_strerror(handle),
                        lib.sf_error(handle), null);
            }
            if (n == 0) {
                int err = lib.sf_error(handle);
                if (err != 0) {
                    throw new CorruptAudioException(file, "decoding failed: " + lib.sf_strerror(handle), err, null);
                }
            }
            return (int) n;
        }

        private void requireOpen() {
            if (handle == null) {
                throw new IllegalStateException("stream already closed");
            }
        }

        @Override
        public void close() {
            if (handle != null) {
                lib.sf_close(handle);
                handle = null;
                NativeHandles.closed();
            }
            if (fd >= 0) {
                LibC.INSTANCE.close(fd);
                fd = -1;
            }
        }
    }
}
