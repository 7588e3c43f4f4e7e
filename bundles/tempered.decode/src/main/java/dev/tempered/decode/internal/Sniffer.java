package dev.tempered.decode.internal;

import dev.tempered.api.audio.CorruptAudioException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Recognises an audio container from the first bytes of a file, and checks the sizes its structure
 * declares against the file's real size, so truncated files are caught before any native code reads them.
 */
final class Sniffer {
    /** What the content says the file is; {@code codec} is null when the container alone does not tell. */
    record Sniffed(String container, String codec) {
    }

    private static final int HEAD = 64 * 1024;
    private static final int MAX_BOXES = 10_000;

    private static final int[][] MPEG_BITRATES = {
        // version 1: layer 1, 2, 3
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
        // version 2 and 2.5: layer 1, layers 2 and 3
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
    };
    private static final int[][] MPEG_RATES = {
        {11025, 12000, 8000}, {0, 0, 0}, {22050, 24000, 16000}, {44100, 48000, 32000},
    };

    private Sniffer() {
    }

    /**
     * @return the recognised container, or null when the content matches no audio format we know
     * @throws CorruptAudioException when the content is recognised but its declared sizes run past the end
     */
    static Sniffed sniff(Path file, FileChannel ch) throws IOException, CorruptAudioException {
        long size = ch.size();
        ByteBuffer head = read(ch, 0, HEAD);
        int n = head.remaining();
        long audioStart = 0;
        // ID3v2 tags may precede MP3 and (rarely) FLAC data; their declared size must fit in the file.
        for (int tags = 0; tags < 4 && n >= 10 && ascii(head, 0, 3).equals("ID3"); tags++) {
            long tag = 10L + syncsafe(head, 6) + ((head.get(5) & 0x10) != 0 ? 10 : 0);
            if (audioStart + tag >= size) {
                throw new CorruptAudioException(file, "the ID3 tag declares " + tag + " bytes but the file has only "
                        + size + " (truncated or damaged)");
            }
            audioStart += tag;
            head = read(ch, audioStart, HEAD);
            n = head.remaining();
        }
        if (n < 4) {
            return null;
        }
        String magic = ascii(head, 0, 4);
        if (audioStart == 0) {
            if (n >= 12 && (magic.equals("RIFF") || magic.equals("RF64") || magic.equals("BW64"))
                    && ascii(head, 8, 4).equals("WAVE")) {
                if (magic.equals("RIFF")) {
                    checkRiff(file, ch, size);
                }
                return new Sniffed("wav", null);
            }
            if (n >= 12 && magic.equals("FORM") && (ascii(head, 8, 4).equals("AIFF") || ascii(head, 8, 4).equals("AIFC"))) {
                checkAiff(file, ch, size);
                return new Sniffed("aiff", null);
            }
            if (magic.equals("OggS")) {
                checkOgg(file, ch, size);
                return new Sniffed("ogg", oggCodec(head));
            }
            if (n >= 8 && (ascii(head, 4, 4).equals("ftyp") || ascii(head, 4, 4).equals("moov"))) {
                checkMp4(file, ch, size);
                return new Sniffed("mp4", null);
            }
        }
        if (magic.equals("fLaC")) {
            checkFlac(file, ch, audioStart, size);
            return new Sniffed("flac", "flac");
        }
        Sniffed mpeg = sniffMpeg(file, head, audioStart, size);
        if (mpeg != null) {
            return mpeg;
        }
        return null;
    }

    private static ByteBuffer read(FileChannel ch, long pos, int max) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.max(0, Math.min(max, ch.size() - pos)));
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                break;
            }
        }
        b.flip();
        return b;
    }

    private static String ascii(ByteBuffer b, int at, int len) {
        if (at + len > b.limit()) {
            return "";
        }
        byte[] x = new byte[len];
        b.get(at, x);
        return new String(x, StandardCharsets.ISO_8859_1);
    }

    private static int syncsafe(ByteBuffer b, int at) {
        return (b.get(at) & 0x7f) << 21 | (b.get(at + 1) & 0x7f) << 14 | (b.get(at + 2) & 0x7f) << 7 | (b.get(at + 3) & 0x7f);
    }

    private static String oggCodec(ByteBuffer head) {
        if (head.limit() < 28) {
            return null;
        }
        int segments = head.get(26) & 0xff;
        int body = 27 + segments;
        if (ascii(head, body, 7).equals("\u0001vorbis")) {
            return "vorbis";
        }
        if (ascii(head, body, 8).equals("OpusHead")) {
            return "opus";
        }
        if (ascii(head, body, 5).equals("\u007fFLAC")) {
            return "flac";
        }
        if (ascii(head, body, 8).equals("Speex   ")) {
            return "speex";
        }
        return null;
    }

    private static CorruptAudioException truncated(Path file, String what, long end, long size) {
        return new CorruptAudioException(file, "truncated or damaged: " + what + " ends at byte " + end
                + " but the file has only " + size + " bytes");
    }

    /** RIFF chunks up to and including 'data'; 0 and 0xFFFFFFFF mean "unknown" (written while streaming). */
    private static void checkRiff(Path file, FileChannel ch, long size) throws IOException, CorruptAudioException {
        long pos = 12;
        for (int i = 0; i < MAX_BOXES && pos + 8 <= size; i++) {
            ByteBuffer h = read(ch, pos, 8).order(ByteOrder.LITTLE_ENDIAN);
            String id = ascii(h, 0, 4);
            long len = Integer.toUnsignedLong(h.getInt(4));
            if (id.equals("data")) {
                if (len != 0 && len != 0xFFFFFFFFL && pos + 8 + len > size) {
                    throw truncated(file, "the WAV data chunk (" + len + " bytes)", pos + 8 + len, size);
                }
                return;
            }
            pos += 8 + len + (len & 1);
        }
        if (pos > size) {
            throw truncated(file, "a WAV chunk before the audio data", pos, size);
        }
        throw new CorruptAudioException(file, "damaged: the WAV file has no data chunk");
    }

    private static void checkAiff(Path file, FileChannel ch, long size) throws IOException, CorruptAudioException {
        long pos = 12;
        for (int i = 0; i < MAX_BOXES && pos + 8 <= size; i++) {
            ByteBuffer h = read(ch, pos, 8);
            String id = ascii(h, 0, 4);
            long len = Integer.toUnsignedLong(h.getInt(4));
            if (id.equals("SSND")) {
                if (pos + 8 + len > size) {
                    throw truncated(file, "the AIFF sound data chunk (" + len + " bytes)", pos + 8 + len, size);
                }
                return;
            }
            pos += 8 + len + (len & 1);
        }
        if (pos > size) {
            throw truncated(file, "an AIFF chunk before the sound data", pos, size);
        }
        throw new CorruptAudioException(file, "damaged: the AIFF file has no sound data chunk");
    }

    /** Top-level MP4 boxes: each must fit in the file, and a playable file has a 'moov'. */
    private static void checkMp4(Path file, FileChannel ch, long size) throws IOException, CorruptAudioException {
        long pos = 0;
        boolean moov = false;
        for (int i = 0; i < MAX_BOXES && pos + 8 <= size; i++) {
            ByteBuffer h = read(ch, pos, 16);
            long len = Integer.toUnsignedLong(h.getInt(0));
            String type = ascii(h, 4, 4);
            int header = 8;
            if (len == 1) {
                if (h.limit() < 16) {
                    throw truncated(file, "the MP4 '" + type + "' box header", pos + 16, size);
                }
                len = h.getLong(8);
                header = 16;
            } else if (len == 0) {
                len = size - pos;
            }
            if (len < header) {
                throw new CorruptAudioException(file, "damaged: the MP4 '" + type + "' box at byte " + pos
                        + " declares an impossible size " + len);
            }
            if (pos + len > size) {
                throw truncated(file, "the MP4 '" + type + "' box (" + len + " bytes)", pos + len, size);
            }
            moov |= type.equals("moov");
            pos += len;
        }
        if (!moov) {
            throw new CorruptAudioException(file, "damaged: the MP4 file has no 'moov' box (an unfinished recording"
                    + " or a truncated file)");
        }
    }

    private static void checkFlac(Path file, FileChannel ch, long start, long size)
            throws IOException, CorruptAudioException {
        long pos = start + 4;
        for (int i = 0; i < MAX_BOXES; i++) {
            if (pos + 4 > size) {
                throw truncated(file, "the FLAC metadata", pos + 4, size);
            }
            ByteBuffer h = read(ch, pos, 4);
            int type = h.get(0) & 0xff;
            long len = (h.get(1) & 0xffL) << 16 | (h.get(2) & 0xffL) << 8 | (h.get(3) & 0xffL);
            pos += 4 + len;
            if (pos > size) {
                throw truncated(file, "a FLAC metadata block (" + len + " bytes)", pos, size);
            }
            if ((type & 0x80) != 0) {
                return;
            }
        }
    }

    /**
     * An Ogg file cut anywhere but a page boundary ends inside a page: the last page's header says how long it
     * is. Files that end with stray bytes after a complete page are accepted, as players accept them.
     */
    private static void checkOgg(Path file, FileChannel ch, long size) throws IOException, CorruptAudioException {
        int tail = (int) Math.min(size, 128 * 1024);
        long base = size - tail;
        ByteBuffer b = read(ch, base, tail);
        for (int i = b.limit() - 4; i >= 0; i--) {
            if (b.get(i) != 'O' || b.get(i + 1) != 'g' || b.get(i + 2) != 'g' || b.get(i + 3) != 'S') {
                continue;
            }
            if (i + 27 > b.limit()) {
                throw truncated(file, "the last Ogg page header", base + i + 27, size);
            }
            if (b.get(i + 4) != 0) {
                continue; // not a page: version must be 0
            }
            int segments = b.get(i + 26) & 0xff;
            if (i + 27 + segments > b.limit()) {
                throw truncated(file, "the last Ogg page header", base + i + 27 + segments, size);
            }
            long body = 0;
            for (int s = 0; s < segments; s++) {
                body += b.get(i + 27 + s) & 0xff;
            }
            long end = base + i + 27 + segments + body;
            if (end > size) {
                throw truncated(file, "the last Ogg page", end, size);
            }
            return;
        }
        throw new CorruptAudioException(file, "damaged: no complete Ogg page near the end of the file");
    }

    /** MPEG audio (MP1/2/3) or ADTS AAC: three chained frame headers, so random bytes are not mistaken for it. */
    private static Sniffed sniffMpeg(Path file, ByteBuffer head, long start, long size) throws CorruptAudioException {
        int limit = Math.min(head.limit() - 4, start > 0 ? 16 * 1024 : 4096);
        for (int i = 0; i <= limit; i++) {
            if ((head.get(i) & 0xff) != 0xff || (head.get(i + 1) & 0xe0) != 0xe0) {
                continue;
            }
            boolean adts = (head.get(i + 1) & 0xf6) == 0xf0;
            int pos = i;
            int chained = 0;
            while (chained < 3) {
                int len = adts ? adtsLength(head, pos) : mpegLength(head, pos);
                if (len <= 0) {
                    break;
                }
                chained++;
                pos += len;
                long end = start + pos;
                if (end == size || end == size - 128 && "TAG".equals(ascii(head, pos, 3))) {
                    chained = 3; // a short file whose frames run exactly to the end (or to an ID3v1 tag)
                } else if (end > size || pos + 6 > head.limit()) {
                    break;
                }
            }
            if (chained >= 3) {
                if (adts) {
                    return new Sniffed("aac", "aac");
                }
                checkXing(file, head, i, start, size);
                int layer = 4 - ((head.get(i + 1) >> 1) & 3);
                return new Sniffed("mp3", "mp" + layer);
            }
        }
        return null;
    }

    private static int mpegLength(ByteBuffer b, int at) {
        if (at + 4 > b.limit()) {
            return -1;
        }
        int b1 = b.get(at + 1) & 0xff;
        int b2 = b.get(at + 2) & 0xff;
        if ((b.get(at) & 0xff) != 0xff || (b1 & 0xe0) != 0xe0) {
            return -1;
        }
        int version = (b1 >> 3) & 3;
        int layerBits = (b1 >> 1) & 3;
        int brIdx = (b2 >> 4) & 0xf;
        int srIdx = (b2 >> 2) & 3;
        if (version == 1 || layerBits == 0 || brIdx == 0 || brIdx == 15 || srIdx == 3) {
            return -1;
        }
        int layer = 4 - layerBits;
        int table = version == 3 ? layer - 1 : (layer == 1 ? 3 : 4);
        int bitrate = MPEG_BITRATES[table][brIdx] * 1000;
        int rate = MPEG_RATES[version][srIdx];
        int pad = (b2 >> 1) & 1;
        if (layer == 1) {
            return (12 * bitrate / rate + pad) * 4;
        }
        int perFrame = layer == 3 && version != 3 ? 72 : 144;
        return perFrame * bitrate / rate + pad;
    }

    private static int adtsLength(ByteBuffer b, int at) {
        if (at + 7 > b.limit()) {
            return -1;
        }
        if ((b.get(at) & 0xff) != 0xff || (b.get(at + 1) & 0xf6) != 0xf0 || ((b.get(at + 2) >> 2) & 0xf) > 12) {
            return -1;
        }
        int len = (b.get(at + 3) & 3) << 11 | (b.get(at + 4) & 0xff) << 3 | (b.get(at + 5) & 0xe0) >> 5;
        return len >= 7 ? len : -1;
    }

    /** A Xing/Info header (LAME and most encoders write one) states the stream's byte count. */
    private static void checkXing(Path file, ByteBuffer head, int frame, long start, long size)
            throws CorruptAudioException {
        int b1 = head.get(frame + 1) & 0xff;
        int mode = (head.get(frame + 3) >> 6) & 3;
        boolean v1 = ((b1 >> 3) & 3) == 3;
        int side = v1 ? (mode == 3 ? 17 : 32) : (mode == 3 ? 9 : 17);
        int at = frame + 4 + side;
        String tag = ascii(head, at, 4);
        if (!tag.equals("Xing") && !tag.equals("Info")) {
            return;
        }
        if (at + 16 > head.limit()) {
            return;
        }
        int flags = head.getInt(at + 4);
        if ((flags & 2) == 0) {
            return;
        }
        long bytes = Integer.toUnsignedLong(head.getInt(at + 8 + ((flags & 1) != 0 ? 4 : 0)));
        long available = size - (start + frame);
        // Encoders differ on whether the tag frame counts; a few KiB of slack covers that, not a real cut.
        if (bytes > available + 4096) {
            throw truncated(file, "the MP3 stream (its Xing header declares " + bytes + " bytes)",
                    start + frame + bytes, size);
        }
    }
}
