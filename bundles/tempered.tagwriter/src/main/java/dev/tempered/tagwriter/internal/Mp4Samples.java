package dev.tempered.tagwriter.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Digests an MP4's samples by following each track's sample table (stsd, stsz, stsc, stco/co64): when a tag
 * writer moves {@code mdat}, this proves both that the sample bytes are intact and that the offsets were updated.
 */
final class Mp4Samples {
    private static final long MAX_MOOV = 256L << 20;

    private Mp4Samples() {
    }

    static void digest(FileChannel ch, MessageDigest md) throws IOException {
        ByteBuffer moov = topLevel(ch, "moov");
        int tracks = 0;
        for (ByteBuffer trak : children(moov, "trak")) {
            ByteBuffer stbl = path(trak, "mdia", "minf", "stbl");
            if (stbl == null) {
                continue;
            }
            tracks++;
            ByteBuffer stsd = child(stbl, "stsd");
            if (stsd != null) {
                md.update(stsd.duplicate());
            }
            trackSamples(ch, md, stbl);
        }
        if (tracks == 0) {
            throw new IOException("MP4 without a sample table");
        }
    }

    private static void trackSamples(FileChannel ch, MessageDigest md, ByteBuffer stbl) throws IOException {
        ByteBuffer stsz = require(child(stbl, "stsz"), "stsz");
        ByteBuffer stsc = require(child(stbl, "stsc"), "stsc");
        ByteBuffer stco = child(stbl, "stco");
        ByteBuffer co64 = child(stbl, "co64");
        long[] offsets;
        if (stco != null) {
            int n = stco.getInt(4);
            offsets = new long[n];
            for (int i = 0; i < n; i++) {
                offsets[i] = Integer.toUnsignedLong(stco.getInt(8 + 4 * i));
            }
        } else {
            ByteBuffer c = require(co64, "stco/co64");
            int n = c.getInt(4);
            offsets = new long[n];
            for (int i = 0; i < n; i++) {
                offsets[i] = c.getLong(8 + 8 * i);
            }
        }
        int fixedSize = stsz.getInt(4);
        int sampleCount = stsz.getInt(8);
        int entries = stsc.getInt(4);
        int sample = 0;
        for (int e = 0; e < entries; e++) {
            int firstChunk = stsc.getInt(8 + 12 * e);
            int perChunk = stsc.getInt(8 + 12 * e + 4);
            int nextFirst = e + 1 < entries ? stsc.getInt(8 + 12 * (e + 1)) : offsets.length + 1;
            for (int c = firstChunk; c < nextFirst && c <= offsets.length; c++) {
                long bytes = 0;
                for (int s = 0; s < perChunk && sample + s < sampleCount; s++) {
                    bytes += fixedSize != 0 ? fixedSize : Integer.toUnsignedLong(stsz.getInt(12 + 4 * (sample + s)));
                }
                sample += perChunk;
                AudioPayload.region(ch, md, offsets[c - 1], bytes);
            }
        }
    }

    private static ByteBuffer require(ByteBuffer b, String name) throws IOException {
        if (b == null) {
            throw new IOException("MP4 track without " + name);
        }
        return b;
    }

    /** A top-level box's content (after its header). */
    private static ByteBuffer topLevel(FileChannel ch, String type) throws IOException {
        long pos = 0;
        long size = ch.size();
        ByteBuffer h = ByteBuffer.allocate(16);
        while (pos + 8 <= size) {
            h.clear();
            h.limit((int) Math.min(16, size - pos));
            AudioPayload.readFully(ch, h, pos);
            long len = Integer.toUnsignedLong(h.getInt(0));
            String t = new String(h.array(), 4, 4, StandardCharsets.ISO_8859_1);
            int header = 8;
            if (len == 1) {
                len = h.getLong(8);
                header = 16;
            } else if (len == 0) {
                len = size - pos;
            }
            if (len < header) {
                throw new IOException("corrupt MP4 box '" + t + "' at " + pos);
            }
            if (t.equals(type)) {
                if (len - header > MAX_MOOV) {
                    throw new IOException("MP4 '" + type + "' box too large");
                }
                ByteBuffer content = ByteBuffer.allocate((int) (len - header));
                AudioPayload.readFully(ch, content, pos + header);
                content.flip();
                return content;
            }
            pos += len;
        }
        throw new IOException("MP4 without a '" + type + "' box");
    }

    private static ByteBuffer path(ByteBuffer box, String... types) {
        ByteBuffer b = box;
        for (String t : types) {
            b = child(b, t);
            if (b == null) {
                return null;
            }
        }
        return b;
    }

    private static ByteBuffer child(ByteBuffer box, String type) {
        List<ByteBuffer> c = children(box, type);
        return c.isEmpty() ? null : c.get(0);
    }

    /** The children of a container box, sliced from its content; positions are relative to the slice. */
    private static List<ByteBuffer> children(ByteBuffer box, String type) {
        List<ByteBuffer> out = new ArrayList<>();
        int pos = 0;
        int end = box.limit();
        while (pos + 8 <= end) {
            long len = Integer.toUnsignedLong(box.getInt(pos));
            String t = new String(new byte[] {box.get(pos + 4), box.get(pos + 5), box.get(pos + 6), box.get(pos + 7)},
                    StandardCharsets.ISO_8859_1);
            int header = 8;
            if (len == 1) {
                len = box.getLong(pos + 8);
                header = 16;
            } else if (len == 0) {
                len = end - pos;
            }
            if (len < header || pos + len > end) {
                break;
            }
            if (t.equals(type)) {
                out.add(box.slice(pos + header, (int) len - header));
            }
            pos += (int) len;
        }
        return out;
    }
}
