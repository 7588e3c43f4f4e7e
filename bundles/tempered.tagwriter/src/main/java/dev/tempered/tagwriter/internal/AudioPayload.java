package dev.tempered.tagwriter.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Per-format digests of what makes the sound. Tag writers move audio around (a grown tag shifts the frames, MP4
 * moves {@code mdat} and rewrites the chunk offsets), so each digest follows the container's own map to the audio
 * rather than comparing file regions.
 */
final class AudioPayload {
    private static final int CHUNK = 1 << 16;

    private AudioPayload() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JRE lacks SHA-256", e);
        }
    }

    static byte[] digest(Format format, Path file) throws IOException {
        MessageDigest md = sha256();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            switch (format) {
                case MP3 -> mp3(ch, md);
                case FLAC -> flac(ch, md);
                case WAV -> riff(ch, md, ByteOrder.LITTLE_ENDIAN, 12, "fmt ", "data");
                case AIFF -> riff(ch, md, ByteOrder.BIG_ENDIAN, 12, "COMM", "SSND");
                case MP4 -> Mp4Samples.digest(ch, md);
                case OGG_VORBIS, OPUS -> ogg(file, md);
                default -> throw new IllegalArgumentException(format.toString());
            }
        }
        return md.digest();
    }

    /**
     * From the first MPEG frame to the ID3v1 tag (or the end): the frames and any APE tag behind them. The ID3v1 tag
     * is a tag, which a write updates with the ID3v2 genre.
     */
    private static void mp3(FileChannel ch, MessageDigest md) throws IOException {
        long[] r = mp3Range(ch);
        region(ch, md, r[0], r[1]);
    }

    private static long[] mp3Range(FileChannel ch) throws IOException {
        long start = Mp3Layout.firstFrame(ch);
        if (start < 0) {
            throw new IOException("no MPEG audio frames found");
        }
        long end = ch.size() - (Mp3Layout.hasId3v1(ch) ? 128 : 0);
        return new long[] {start, Math.max(0, end - start)};
    }

    /**
     * Where the audio bytes lie as one contiguous region that a tag write moves but never changes ({offset,
     * length}), or null for a format whose writes rewrite them (Ogg renumbers pages) or a layout we do not know.
     */
    static long[] range(Format format, Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return switch (format) {
                case MP3 -> mp3Range(ch);
                case FLAC -> flacRange(ch);
                case WAV -> chunk(ch, ByteOrder.LITTLE_ENDIAN, 12, "data");
                case AIFF -> chunk(ch, ByteOrder.BIG_ENDIAN, 12, "SSND");
                case MP4 -> chunk(ch, ByteOrder.BIG_ENDIAN, 0, "mdat");
                default -> null;
            };
        }
    }

    private static long[] flacRange(FileChannel ch) throws IOException {
        long pos = 4;
        ByteBuffer h = ByteBuffer.allocate(4);
        while (true) {
            h.clear();
            readFully(ch, h, pos);
            boolean last = (h.get(0) & 0x80) != 0;
            int len = ((h.get(1) & 0xff) << 16) | ((h.get(2) & 0xff) << 8) | (h.get(3) & 0xff);
            pos += 4 + len;
            if (last) {
                return new long[] {pos, ch.size() - pos};
            }
        }
    }

    /**
     * The body of the one chunk (RIFF/IFF) or top-level atom (MP4, where the first 4 bytes are the size and the
     * id follows) with that id, or null when there is none or more than one.
     */
    private static long[] chunk(FileChannel ch, ByteOrder order, long first, String id) throws IOException {
        boolean mp4 = first == 0;
        long pos = first;
        long size = ch.size();
        long[] found = null;
        ByteBuffer h = ByteBuffer.allocate(16).order(order);
        while (pos + 8 <= size) {
            h.clear();
            h.limit(mp4 ? 16 : 8);
            ch.read(h, pos);
            long len;
            long header = 8;
            String name;
            if (mp4) {
                len = Integer.toUnsignedLong(h.getInt(0));
                name = new String(h.array(), 4, 4, StandardCharsets.ISO_8859_1);
                if (len == 1) {
                    len = h.getLong(8);
                    header = 16;
                } else if (len == 0) {
                    len = size - pos;
                }
                if (len < header) {
                    return null;
                }
                len -= header;
            } else {
                name = new String(h.array(), 0, 4, StandardCharsets.ISO_8859_1);
                len = Integer.toUnsignedLong(h.getInt(4));
            }
            if (name.equals(id)) {
                if (found != null) {
                    return null;
                }
                found = new long[] {pos + header, Math.min(len, size - pos - header)};
            }
            pos += header + len + (mp4 ? 0 : (len & 1));
        }
        return found;
    }

    /** STREAMINFO and every byte after the metadata blocks (the frames). */
    private static void flac(FileChannel ch, MessageDigest md) throws IOException {
        long pos = 4;
        ByteBuffer h = ByteBuffer.allocate(4);
        while (true) {
            h.clear();
            readFully(ch, h, pos);
            int type = h.get(0) & 0x7f;
            boolean last = (h.get(0) & 0x80) != 0;
            int len = ((h.get(1) & 0xff) << 16) | ((h.get(2) & 0xff) << 8) | (h.get(3) & 0xff);
            if (type == 0) {
                region(ch, md, pos + 4, len);
            }
            pos += 4 + len;
            if (last) {
                break;
            }
        }
        region(ch, md, pos, ch.size() - pos);
    }

    /** The named chunks of a RIFF (WAV) or IFF (AIFF) file, in file order, each prefixed by its id. */
    private static void riff(FileChannel ch, MessageDigest md, ByteOrder order, long first, String... wanted)
            throws IOException {
        long pos = first;
        long size = ch.size();
        int found = 0;
        ByteBuffer h = ByteBuffer.allocate(8).order(order);
        while (pos + 8 <= size) {
            h.clear();
            readFully(ch, h, pos);
            String id = new String(h.array(), 0, 4, StandardCharsets.ISO_8859_1);
            long len = Integer.toUnsignedLong(h.getInt(4));
            for (String w : wanted) {
                if (w.equals(id)) {
                    md.update(h.array(), 0, 4);
                    region(ch, md, pos + 8, Math.min(len, size - pos - 8));
                    found++;
                }
            }
            pos += 8 + len + (len & 1);
        }
        if (found < wanted.length) {
            throw new IOException("missing audio chunks (" + String.join(", ", wanted) + ")");
        }
    }

    /** Every packet of the stream except the comment header (the second packet). */
    private static void ogg(Path file, MessageDigest md) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
            OggPackets packets = new OggPackets(in);
            int index = 0;
            byte[] p;
            while ((p = packets.next()) != null) {
                if (index++ != 1) {
                    md.update(ByteBuffer.allocate(4).putInt(p.length).array());
                    md.update(p);
                }
            }
            md.update(ByteBuffer.allocate(8).putLong(packets.lastGranule()).array());
        }
    }

    static void region(FileChannel ch, MessageDigest md, long pos, long len) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long end = pos + len;
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException("file ends inside its audio data");
            }
            md.update(buf.array(), 0, n);
            pos += n;
        }
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new EOFException("unexpected end of file");
            }
            pos += n;
        }
    }
}
