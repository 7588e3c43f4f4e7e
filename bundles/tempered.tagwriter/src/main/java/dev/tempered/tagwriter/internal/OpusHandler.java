package dev.tempered.tagwriter.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Opus in Ogg (RFC 7845), written by us because jaudiotagger has no Opus support: the {@code OpusTags} packet is
 * rebuilt and laid out on fresh pages after the untouched {@code OpusHead} page; every audio page is copied with
 * its body unchanged, only its sequence number (and so its checksum) shifted when the header needs more or fewer
 * pages than before.
 */
final class OpusHandler implements FormatHandler {
    private static final byte[] TAGS_MAGIC = "OpusTags".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_MAGIC = "OpusHead".getBytes(StandardCharsets.US_ASCII);

    @Override
    public TagValues read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            OggPackets packets = new OggPackets(in);
            byte[] head = packets.next();
            if (head == null || !startsWith(head, HEAD_MAGIC)) {
                throw new IOException("not an Ogg Opus stream");
            }
            byte[] tags = packets.next();
            if (tags == null) {
                throw new IOException("Opus stream without comment header");
            }
            return VorbisComments.parse(tags, TAGS_MAGIC).toValues();
        }
    }

    @Override
    public void write(Path source, Path target, TagChange change) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(source), 1 << 16);
                OutputStream out = new BufferedOutputStream(
                        Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 1 << 16)) {
            OggPage first = OggPage.read(in);
            if (first == null || first.lacing.length == 0 || !first.endsPacket() || countEnds(first) != 1
                    || !startsWith(first.body, HEAD_MAGIC)) {
                throw new IOException("the first Ogg page does not hold exactly the OpusHead packet");
            }
            // The comment header starts on the second page and may span several; audio starts on a fresh page.
            List<OggPage> old = new ArrayList<>();
            java.io.ByteArrayOutputStream tags = new java.io.ByteArrayOutputStream();
            while (true) {
                OggPage p = OggPage.read(in);
                if (p == null || p.serial != first.serial) {
                    throw new IOException("Opus comment header missing or interleaved with another stream");
                }
                old.add(p);
                tags.writeBytes(p.body);
                int ends = countEnds(p);
                if (ends > 1 || (ends == 1 && !p.endsPacket())) {
                    throw new IOException("audio shares a page with the Opus comment header");
                }
                if (ends == 1) {
                    break;
                }
            }
            VorbisComments comments = VorbisComments.parse(tags.toByteArray(), TAGS_MAGIC).with(change);
            List<OggPage> fresh = OggPage.paginate(List.of(comments.encode()), first.serial, first.sequence + 1);
            out.write(first.toBytes());
            for (OggPage p : fresh) {
                out.write(p.toBytes());
            }
            int shift = fresh.size() - old.size();
            OggPage p;
            while ((p = OggPage.read(in)) != null) {
                if (p.serial != first.serial) {
                    throw new IOException("multiplexed or chained Ogg streams are not supported");
                }
                p.sequence += shift;
                out.write(p.toBytes());
            }
        }
    }

    @Override
    public byte[] payloadDigest(Path file) throws IOException {
        return AudioPayload.digest(Format.OPUS, file);
    }

    private static int countEnds(OggPage p) {
        int n = 0;
        for (int l : p.lacing) {
            if (l < 255) {
                n++;
            }
        }
        return n;
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
