package dev.tempered.nativeaudio.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import java.util.Map;

/**
 * The C shim in {@code src/main/c/tempered_ffmpeg.c}: opaque handles over libavformat/libavcodec, so no
 * FFmpeg struct layout is ever mapped in Java.
 */
interface FfmpegShim extends Library {
    /**
     * Loads {@code libtempered_ffmpeg.so} from this bundle (JNA extracts it), which pulls in the system's
     * libavformat.so.59, libavcodec.so.59 and libavutil.so.57.
     */
    static FfmpegShim load() {
        return Native.load("tempered_ffmpeg", FfmpegShim.class,
                Map.of(Library.OPTION_CLASSLOADER, FfmpegShim.class.getClassLoader()));
    }

    int tf_version();

    void tf_strerror(int code, byte[] buf, int size);

    Pointer tf_open(byte[] path, String formats, IntByReference err);

    void tf_close(Pointer file);

    int tf_sample_rate(Pointer file);

    int tf_channels(Pointer file);

    String tf_container(Pointer file);

    String tf_codec(Pointer file);

    long tf_frames(Pointer file);

    int tf_seek(Pointer file, long frame);

    int tf_read(Pointer file, Pointer out, int maxFrames);

    int tf_bad_packets(Pointer file);
}
