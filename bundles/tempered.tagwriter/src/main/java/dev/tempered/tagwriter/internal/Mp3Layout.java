package dev.tempered.tagwriter.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Where an MP3's audio frames start: after any ID3v2 tags and the padding behind them. */
final class Mp3Layout {
    private static final int SEARCH_LIMIT = 1 << 20;

    private Mp3Layout() {
    }

    /** Whether the file ends with an ID3v1 tag ("TAG" 128 bytes from the end). */
    static boolean hasId3v1(FileChannel ch) throws IOException {
        if (ch.size() < 128 + 4) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocate(3);
        ch.read(b, ch.size() - 128);
        return b.get(0) == 'T' && b.get(1) == 'A' && b.get(2) == 'G';
    }

    static boolean startsWithMpegAfterTag(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return firstFrame(ch) >= 0;
        }
    }

    /** The offset of the first MPEG audio frame that is followed by a second one, or -1. */
    static long firstFrame(FileChannel ch) throws IOException {
        long pos = skipId3v2(ch, 0);
        long size = ch.size();
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(SEARCH_LIMIT + 4, Math.max(0, size - pos)));
        ch.read(buf, pos);
        byte[] b = buf.array();
        int n = buf.position();
        for (int i = 0; i + 4 <= n; i++) {
            if (isFrameHeader(b, i)) {
                int len = frameLength(b, i);
                // A lone sync pattern inside padding or a tag is common; a frame followed by a frame is not.
                if (len > 0 && (i + len + 4 > n || isFrameHeader(b, i + len))) {
                    return pos + i;
                }
            }
        }
        return -1;
    }

    private static long skipId3v2(FileChannel ch, long pos) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(10);
        while (true) {
            h.clear();
            if (ch.read(h, pos) < 10) {
                return pos;
            }
            byte[] b = h.array();
            if (!(b[0] == 'I' && b[1] == 'D' && b[2] == '3')) {
                return pos;
            }
            long len = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
            boolean footer = (b[5] & 0x10) != 0;
            pos += 10 + len + (footer ? 10 : 0);
        }
    }

    static boolean isFrameHeader(byte[] b, int i) {
        if (i + 4 > b.length) {
            return false;
        }
        int h = ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        if ((h & 0xffe00000) != 0xffe00000) {
            return false;
        }
        int version = (h >>> 19) & 3;
        int layer = (h >>> 17) & 3;
        int bitrate = (h >>> 12) & 15;
        int rate = (h >>> 10) & 3;
        return version != 1 && layer != 0 && bitrate != 15 && bitrate != 0 && rate != 3;
    }

    private static final int[][] BITRATES = {
        // MPEG-1 layer I, II, III
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
        // MPEG-2/2.5 layer I, II/III
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
    };
    private static final int[][] RATES = {{11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000}};

    static int frameLength(byte[] b, int i) {
        int h = ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        int version = (h >>> 19) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
        int layer = 4 - ((h >>> 17) & 3); // 1, 2, 3
        int bitrateIndex = (h >>> 12) & 15;
        int rate = RATES[version][(h >>> 10) & 3];
        int padding = (h >>> 9) & 1;
        boolean mpeg1 = version == 3;
        int kbps = mpeg1 ? BITRATES[layer - 1][bitrateIndex] : BITRATES[layer == 1 ? 3 : 4][bitrateIndex];
        if (rate == 0 || kbps == 0) {
            return -1;
        }
        if (layer == 1) {
            return (12 * kbps * 1000 / rate + padding) * 4;
        }
        int factor = (layer == 3 && !mpeg1) ? 72 : 144;
        return factor * kbps * 1000 / rate + padding;
    }
}
