package dev.tempered.nativeaudio.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/** The part of libsndfile's C API the decoder uses (sndfile.h, libsndfile 1.x). */
interface LibSndfile extends Library {
    int SFM_READ = 0x10;
    int SEEK_SET = 0;
    int SF_FORMAT_TYPEMASK = 0x0FFF0000;
    int SF_FORMAT_SUBMASK = 0x0000FFFF;

    /** Loads the system's libsndfile.so.1; fails with UnsatisfiedLinkError when libsndfile1 is not installed. */
    static LibSndfile load() {
        return Native.load("sndfile", LibSndfile.class);
    }

    String sf_version_string();

    Pointer sf_open(byte[] path, int mode, SfInfo info);

    /** Opens an already open descriptor; with {@code closeDesc} 0 the caller keeps and closes it. */
    Pointer sf_open_fd(int fd, int mode, SfInfo info, int closeDesc);

    /**
     * libsndfile copies a path into a 1,024-byte buffer and refuses longer ones (SFE_FILENAME_TOO_LONG); such files
     * are opened by descriptor instead.
     */
    int MAX_PATH_BYTES = 1000;

    int sf_close(Pointer sndfile);

    long sf_readf_float(Pointer sndfile, Pointer ptr, long frames);

    long sf_seek(Pointer sndfile, long frames, int whence);

    int sf_error(Pointer sndfile);

    String sf_strerror(Pointer sndfile);

    /** SF_INFO. */
    @FieldOrder({"frames", "samplerate", "channels", "format", "sections", "seekable"})
    final class SfInfo extends Structure {
        public long frames;
        public int samplerate;
        public int channels;
        public int format;
        public int sections;
        public int seekable;
    }
}
