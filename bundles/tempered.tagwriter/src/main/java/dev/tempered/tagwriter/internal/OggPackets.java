package dev.tempered.tagwriter.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reassembles the packets of a single-stream Ogg file, page by page. */
final class OggPackets {
    private final InputStream in;
    private OggPage page;
    private int segment;
    private int offset;
    private int serial;
    private boolean started;
    private long lastGranule;

    OggPackets(InputStream in) {
        this.in = in;
    }

    /** The next packet, or null at the end of the stream. */
    byte[] next() throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        boolean partial = false;
        while (true) {
            if (page == null || segment == page.lacing.length) {
                page = OggPage.read(in);
                segment = 0;
                offset = 0;
                if (page == null) {
                    if (partial) {
                        throw new IOException("Ogg stream ends inside a packet");
                    }
                    return null;
                }
                if (!started) {
                    serial = page.serial;
                    started = true;
                } else if (page.serial != serial) {
                    throw new IOException("multiplexed or chained Ogg streams are not supported");
                }
                lastGranule = page.granule;
            }
            int len = page.lacing[segment++];
            packet.write(page.body, offset, len);
            offset += len;
            partial = true;
            if (len < 255) {
                return packet.toByteArray();
            }
        }
    }

    long lastGranule() {
        return lastGranule;
    }
}
