package dev.tempered.nativeaudio.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** open(2) and close(2), for handing libsndfile a descriptor when a path is too long for it. */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);
    /** Linux's O_RDONLY | O_CLOEXEC (the same on x86-64 and aarch64). */
    int O_RDONLY_CLOEXEC = 0x80000;

    int open(byte[] path, int flags);

    int close(int fd);
}
