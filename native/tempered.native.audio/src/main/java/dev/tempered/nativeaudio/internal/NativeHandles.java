package dev.tempered.nativeaudio.internal;

import java.util.concurrent.atomic.AtomicInteger;

/** Counts native file handles this bundle holds open, so tests can prove every path closes them. */
public final class NativeHandles {
    private static final AtomicInteger OPEN = new AtomicInteger();

    private NativeHandles() {
    }

    static void opened() {
        OPEN.incrementAndGet();
    }

    static void closed() {
        OPEN.decrementAndGet();
    }

    /** Native decoder handles open right now, over all decoders and threads. */
    public static int open() {
        return OPEN.get();
    }
}
