package dev.tempered.library.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a file's size, its first MiB and its last MiB. It tells whether a file changed since it was
 * indexed without reading a whole library again: tags live at the start (ID3v2, Vorbis comments, FLAC
 * metadata, MP4 moov often) or the end (ID3v1, APE, MP4 moov after the data), a re-encode changes both ends and
 * nearly always the size. It is a change detector, not an identity: two different files may share it only if
 * they agree in size and both ends.
 */
public final class ContentHash {
    static final int PART = 1 << 20;

    private ContentHash() {
    }

    public static String of(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            md.update(ByteBuffer.allocate(8).putLong(0, size));
            ByteBuffer buf = ByteBuffer.allocate(PART);
            read(ch, 0, buf, md);
            if (size > PART) {
                read(ch, Math.max(PART, size - PART), buf, md);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void read(FileChannel ch, long pos, ByteBuffer buf, MessageDigest md) throws IOException {
        buf.clear();
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                break;
            }
        }
        buf.flip();
        md.update(buf);
    }
}
