package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's hyperrogue-music (issue 16): four Vorbis files repeat their three header packets on a page of their own
 * whose granule position is -104. sox and libsndfile play them; FFmpeg refuses the stream ("Header processing
 * failed"). The fixture here rebuilds exactly that layout from a sine made with ffmpeg.
 */
class OddOggTest {
    @TempDir
    Path tmp;

    @Test
    void repeatedHeadersBehindANegativeGranuleDecode() throws Exception {
        Path clean = tmp.resolve("clean.ogg");
        Corpus.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "sine=frequency=440:duration=3:sample_rate=44100", "-ac", "2", "-c:a", "libvorbis", "-q:a", "2",
                clean.toString()));
        Path odd = tmp.resolve("hyperrogue-like.ogg");
        Files.write(odd, repeatHeadersWithNegativeGranule(Files.readAllBytes(clean), -104));

        DecodedAudio a = Corpus.loader().load(odd, DecodeRequest.wholeMono(22_050));
        assertEquals(3.0, a.decodedSeconds(), 0.05, "the whole three seconds");
        float peak = 0;
        for (DecodedAudio.Segment s : a.segments()) {
            for (float v : s.samples()) {
                peak = Math.max(peak, Math.abs(v));
            }
        }
        assertTrue(peak > 0.05, "the sine itself, not silence: peak " + peak);
    }

    @Test
    void aTruncatedOggIsStillRefusedByEveryDecoder() throws Exception {
        // The fallback must not turn damage into success: cut the same stream in half.
        Path clean = tmp.resolve("clean.ogg");
        Corpus.run(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "sine=frequency=440:duration=20:sample_rate=44100", "-c:a", "libvorbis", "-q:a", "2",
                clean.toString()));
        byte[] b = Files.readAllBytes(clean);
        Path cut = tmp.resolve("cut.ogg");
        Files.write(cut, Arrays.copyOf(repeatHeadersWithNegativeGranule(b, -104), b.length / 2));
        CorruptAudioException e = assertThrows(CorruptAudioException.class,
                () -> Corpus.loader().load(cut, DecodeRequest.wholeMono(22_050)));
        assertTrue(e.getMessage().contains("cut.ogg"), e.getMessage());
    }

    /** Inserts after the second page a page holding the three header packets again, with the given granule. */
    static byte[] repeatHeadersWithNegativeGranule(byte[] ogg, long granule) {
        List<byte[]> pages = new ArrayList<>();
        for (int i = 0; i < ogg.length;) {
            int nseg = ogg[i + 26] & 0xff;
            int len = 27 + nseg;
            for (int k = 0; k < nseg; k++) {
                len += ogg[i + 27 + k] & 0xff;
            }
            pages.add(Arrays.copyOfRange(ogg, i, i + len));
            i += len;
        }
        List<byte[]> headers = new ArrayList<>();
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        for (byte[] p : pages.subList(0, 2)) {
            int nseg = p[26] & 0xff;
            int pos = 27 + nseg;
            for (int k = 0; k < nseg; k++) {
                int s = p[27 + k] & 0xff;
                packet.write(p, pos, s);
                pos += s;
                if (s < 255) {
                    headers.add(packet.toByteArray());
                    packet.reset();
                }
            }
        }
        assertEquals(3, headers.size(), "a Vorbis stream has three header packets on its first two pages");
        ByteArrayOutputStream lacing = new ByteArrayOutputStream();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] h : headers) {
            for (int n = h.length; n >= 255; n -= 255) {
                lacing.write(255);
            }
            lacing.write(h.length % 255);
            body.writeBytes(h);
        }
        ByteBuffer page = ByteBuffer.allocate(27 + lacing.size() + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        page.put(pages.get(1), 0, 27);
        page.put(5, (byte) 0).putLong(6, granule).putInt(18, 2).put(26, (byte) lacing.size());
        page.position(27);
        page.put(lacing.toByteArray()).put(body.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(pages.get(0));
        out.writeBytes(pages.get(1));
        out.writeBytes(withCrc(page.array()));
        for (byte[] p : pages.subList(2, pages.size())) {
            ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(18, b.getInt(18) + 1);
            out.writeBytes(withCrc(p));
        }
        return out.toByteArray();
    }

    /** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial 0, computed with the field zeroed. */
    static byte[] withCrc(byte[] page) {
        ByteBuffer b = ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(22, 0);
        int crc = 0;
        for (byte x : page) {
            crc ^= (x & 0xff) << 24;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
            }
        }
        b.putInt(22, crc);
        return page;
    }
}
