package dev.tempered.tagwriter.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** One Ogg page (RFC 3533): header fields, lacing values and body. */
final class OggPage {
    static final int CONTINUED = 0x01;
    static final int FIRST = 0x02;
    static final int LAST = 0x04;
    private static final int[] CRC_TABLE = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int r = i << 24;
            for (int j = 0; j < 8; j++) {
                r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04c11db7 : r << 1;
            }
            CRC_TABLE[i] = r;
        }
    }

    final int flags;
    final long granule;
    final int serial;
    int sequence;
    final int[] lacing;
    final byte[] body;

    OggPage(int flags, long granule, int serial, int sequence, int[] lacing, byte[] body) {
        this.flags = flags;
        this.granule = granule;
        this.serial = serial;
        this.sequence = sequence;
        this.lacing = lacing;
        this.body = body;
    }

    /** Reads the next page, or returns null at a clean end of stream. */
    static OggPage read(InputStream in) throws IOException {
        byte[] h = new byte[27];
        int n = in.readNBytes(h, 0, 27);
        if (n == 0) {
            return null;
        }
        if (n < 27 || h[0] != 'O' || h[1] != 'g' || h[2] != 'g' || h[3] != 'S' || h[4] != 0) {
            throw new IOException("not an Ogg page (damaged or trailing data)");
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        int segments = h[26] & 0xff;
        byte[] lace = in.readNBytes(segments);
        if (lace.length < segments) {
            throw new EOFException("Ogg page cut short");
        }
        int[] lacing = new int[segments];
        int bodyLen = 0;
        for (int i = 0; i < segments; i++) {
            lacing[i] = lace[i] & 0xff;
            bodyLen += lacing[i];
        }
        byte[] body = in.readNBytes(bodyLen);
        if (body.length < bodyLen) {
            throw new EOFException("Ogg page cut short");
        }
        OggPage page = new OggPage(h[5] & 0xff, b.getLong(6), b.getInt(14), b.getInt(18), lacing, body);
        if (page.crc() != b.getInt(22)) {
            throw new IOException("Ogg page " + page.sequence + " fails its checksum");
        }
        return page;
    }

    /** Whether the last segment ends a packet (a page ending in 255 continues on the next page). */
    boolean endsPacket() {
        return lacing.length > 0 && lacing[lacing.length - 1] < 255;
    }

    byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(27 + lacing.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
        header(b, 0);
        b.putInt(22, crc());
        return b.array();
    }

    private void header(ByteBuffer b, int crc) {
        b.put(new byte[] {'O', 'g', 'g', 'S', 0}).put((byte) flags).putLong(granule).putInt(serial).putInt(sequence)
                .putInt(crc).put((byte) lacing.length);
        for (int l : lacing) {
            b.put((byte) l);
        }
        b.put(body);
    }

    int crc() {
        ByteBuffer b = ByteBuffer.allocate(27 + lacing.length + body.length).order(ByteOrder.LITTLE_ENDIAN);
        header(b, 0);
        int crc = 0;
        for (byte x : b.array()) {
            crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ x) & 0xff];
        }
        return crc;
    }

    /**
     * Lays packets out on fresh pages starting at {@code sequence}: 255-byte segments, at most 255 per page, the
     * last page of the run ending with the last packet so the next page starts fresh. Header packets carry granule
     * position 0; pages on which no packet ends carry -1, as RFC 3533 requires.
     */
    static java.util.List<OggPage> paginate(java.util.List<byte[]> packets, int serial, int sequence) {
        java.util.List<Integer> lacing = new java.util.ArrayList<>();
        java.util.List<Boolean> ends = new java.util.ArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : packets) {
            int left = p.length;
            while (left >= 255) {
                lacing.add(255);
                ends.add(false);
                left -= 255;
            }
            lacing.add(left);
            ends.add(true);
            all.writeBytes(p);
        }
        byte[] data = all.toByteArray();
        java.util.List<OggPage> pages = new java.util.ArrayList<>();
        int seg = 0;
        int offset = 0;
        boolean continued = false;
        while (seg < lacing.size()) {
            int count = Math.min(255, lacing.size() - seg);
            int[] lace = new int[count];
            int len = 0;
            boolean anyEnd = false;
            for (int i = 0; i < count; i++) {
                lace[i] = lacing.get(seg + i);
                len += lace[i];
                anyEnd |= ends.get(seg + i);
            }
            byte[] body = java.util.Arrays.copyOfRange(data, offset, offset + len);
            pages.add(new OggPage(continued ? CONTINUED : 0, anyEnd ? 0 : -1, serial, sequence++, lace, body));
            continued = !ends.get(seg + count - 1);
            seg += count;
            offset += len;
        }
        return pages;
    }
}
