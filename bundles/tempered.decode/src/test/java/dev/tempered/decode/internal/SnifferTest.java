package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tempered.api.audio.CorruptAudioException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content recognition and structural checks on hand-made headers. */
class SnifferTest {
    @TempDir
    Path dir;

    private Sniffer.Sniffed sniff(byte[] content) throws Exception {
        Path p = dir.resolve("f" + System.nanoTime());
        Files.write(p, content);
        try (FileChannel ch = FileChannel.open(p)) {
            return Sniffer.sniff(p, ch);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] wav(int dataBytes, int actualBytes) {
        ByteBuffer b = ByteBuffer.allocate(44 + actualBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("RIFF")).putInt(36 + dataBytes).put(ascii("WAVE"));
        b.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) 2).putInt(44100).putInt(176400)
                .putShort((short) 4).putShort((short) 16);
        b.put(ascii("data")).putInt(dataBytes);
        return b.array();
    }

    /** MPEG-1 layer III, 128 kbit/s, 44.1 kHz: 417-byte frames. */
    private static byte[] mp3Frames(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            byte[] f = new byte[417];
            f[0] = (byte) 0xff;
            f[1] = (byte) 0xfb;
            f[2] = (byte) 0x90;
            f[3] = (byte) 0x64;
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void wav() throws Exception {
        assertEquals("wav", sniff(wav(1000, 1000)).container());
        // Streaming writers leave the size unknown (0 or 0xFFFFFFFF): not truncation.
        assertEquals("wav", sniff(wav(-1, 1000)).container());
        assertThrows(CorruptAudioException.class, () -> sniff(wav(100_000, 1000)));
    }

    @Test
    void aiff() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(12 + 8 + 18 + 8 + 108);
        b.put(ascii("FORM")).putInt(b.capacity() - 8).put(ascii("AIFF"));
        b.put(ascii("COMM")).putInt(18).put(new byte[18]);
        b.put(ascii("SSND")).putInt(108);
        assertEquals("aiff", sniff(b.array()).container());
        b.putInt(42, 5000);
        assertThrows(CorruptAudioException.class, () -> sniff(b.array()));
    }

    @Test
    void flacWithAndWithoutId3() throws Exception {
        byte[] flac = concat(ascii("fLaC"), new byte[] {(byte) 0x80, 0, 0, 34}, new byte[34 + 100]);
        assertEquals("flac", sniff(flac).container());
        byte[] id3 = concat(ascii("ID3"), new byte[] {4, 0, 0, 0, 0, 0, 20}, new byte[20]);
        assertEquals("flac", sniff(concat(id3, flac)).container());
    }

    @Test
    void oggCodecs() throws Exception {
        for (String[] c : new String[][] {{"\u0001vorbis", "vorbis"}, {"OpusHead", "opus"}}) {
            byte[] packet = concat(ascii(c[0]), new byte[22]);
            ByteBuffer page = ByteBuffer.allocate(27 + 1 + packet.length);
            page.put(ascii("OggS")).put((byte) 0).put((byte) 2).put(new byte[20]).put((byte) 1)
                    .put((byte) packet.length).put(packet);
            Sniffer.Sniffed s = sniff(page.array());
            assertEquals("ogg", s.container());
            assertEquals(c[1], s.codec());
            byte[] cut = java.util.Arrays.copyOf(page.array(), page.capacity() - 5);
            assertThrows(CorruptAudioException.class, () -> sniff(cut), "page cut short");
        }
    }

    @Test
    void mp4() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + 8);
        b.putInt(24).put(ascii("ftypM4A ")).putInt(0).put(ascii("M4A mp42"));
        b.putInt(16).put(ascii("moov")).put(new byte[8]);
        b.putInt(8).put(ascii("mdat"));
        assertEquals("mp4", sniff(b.array()).container());
        b.putInt(40, 4000);
        assertThrows(CorruptAudioException.class, () -> sniff(b.array()), "mdat past the end");
        b.putInt(40, 8);
        b.put(28, ascii("free")[0]).put(29, ascii("free")[1]).put(30, ascii("free")[2]).put(31, ascii("free")[3]);
        assertThrows(CorruptAudioException.class, () -> sniff(b.array()), "no moov");
    }

    @Test
    void mpegFramesNeedToChain() throws Exception {
        assertEquals("mp3", sniff(mp3Frames(10)).container());
        byte[] id3 = concat(ascii("ID3"), new byte[] {3, 0, 0, 0, 0, 1, 0}, new byte[128]);
        assertEquals("mp3", sniff(concat(id3, mp3Frames(10))).container());
        // One plausible header followed by noise is not MP3.
        byte[] one = mp3Frames(1);
        byte[] noise = new byte[5000];
        new Random(1).nextBytes(noise);
        for (int i = 0; i < noise.length; i++) {
            if ((noise[i] & 0xff) == 0xff) {
                noise[i] = 0;
            }
        }
        assertNull(sniff(concat(one, noise)));
    }

    @Test
    void adts() throws Exception {
        byte[] frame = new byte[200];
        frame[0] = (byte) 0xff;
        frame[1] = (byte) 0xf1;
        frame[2] = (byte) 0x50; // AAC LC, 44.1 kHz
        frame[3] = (byte) 0x80;
        frame[4] = (byte) (200 >> 3);
        frame[5] = (byte) ((200 & 7) << 5);
        assertEquals("aac", sniff(concat(frame, frame, frame, frame)).container());
    }

    @Test
    void randomBytesAreNothing() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] b = new byte[1 + r.nextInt(20000)];
            r.nextBytes(b);
            Sniffer.Sniffed s;
            try {
                s = sniff(b);
            } catch (CorruptAudioException e) {
                continue; // random bytes that begin like a container and then break its rules
            }
            assertNull(s, "random bytes sniffed as " + s);
        }
    }

    @Test
    void id3ClaimingMoreThanTheFile() throws IOException {
        byte[] id3 = concat(ascii("ID3"), new byte[] {4, 0, 0, 0x10, 0, 0, 0}, new byte[100]);
        assertThrows(CorruptAudioException.class, () -> sniff(id3));
    }
}
