package dev.tempered.tagwriter.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A WAV's chunks put back together: the tag chunks (LIST/INFO and id3) as jaudiotagger wrote them, every other
 * chunk (fmt, data, cue...) copied from the original, in the original's order. jaudiotagger 3.0.1 moves the data
 * chunk when it rewrites a WAV that has both tag chunks, and drops its last byte when the id3 chunk has an odd
 * size (as mutagen writes it); this way the audio is never its to move.
 */
final class WavChunks {
    private record Chunk(String id, String listType, long offset, long total) {
        boolean isTag() {
            return id.equalsIgnoreCase("id3 ") || (id.equals("LIST") && "INFO".equals(listType));
        }
    }

    private WavChunks() {
    }

    private static List<Chunk> chunks(FileChannel ch) throws IOException {
        List<Chunk> out = new ArrayList<>();
        long size = ch.size();
        long pos = 12;
        ByteBuffer h = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        while (pos + 8 <= size) {
            h.clear();
            ch.read(h, pos);
            String id = new String(h.array(), 0, 4, StandardCharsets.ISO_8859_1);
            long len = Integer.toUnsignedLong(h.getInt(4));
            String type = h.position() >= 12 ? new String(h.array(), 8, 4, StandardCharsets.ISO_8859_1) : "";
            long total = Math.min(8 + len + (len & 1), size - pos);
            out.add(new Chunk(id, id.equals("LIST") ? type : null, pos, total));
            pos += 8 + len + (len & 1);
        }
        return out;
    }

    /** Where {@link #rebuild} writes before it replaces {@code written}. */
    static Path rebuildTemp(Path written) {
        String name = written.getFileName().toString();
        return written.resolveSibling(name.endsWith(".tmp") ? name.substring(0, name.length() - 4) + "_tmp1.tmp"
                : name + ".riff");
    }

    /** Rewrites {@code written} (jaudiotagger's output) as the original's chunks with its tag chunks. */
    static void rebuild(Path original, Path written) throws IOException {
        ByteArrayOutputStream tags = new ByteArrayOutputStream();
        List<byte[]> newTags = new ArrayList<>();
        try (FileChannel w = FileChannel.open(written, StandardOpenOption.READ)) {
            for (Chunk c : chunks(w)) {
                if (c.isTag()) {
                    ByteBuffer b = ByteBuffer.allocate((int) c.total());
                    AudioPayload.readFully(w, b, c.offset());
                    newTags.add(b.array());
                }
            }
        }
        // Named like SafeReplace's own temporary files (".x.wav.tempered-PID-TOKEN_tmp1.tmp"), so that a kill during
        // the rebuild leaves nothing the next writer's cleanup does not recognise and remove.
        Path temp = rebuildTemp(written);
        try (FileChannel o = FileChannel.open(original, StandardOpenOption.READ);
                OutputStream out = SafeReplace.createLike(original, temp)) {
            List<Chunk> chunks = chunks(o);
            long body = 4;
            boolean tagsPlaced = false;
            List<Object> parts = new ArrayList<>();
            for (Chunk c : chunks) {
                if (c.isTag()) {
                    if (!tagsPlaced) {
                        // The new tag chunks take the place of the first old one.
                        parts.addAll(newTags);
                        tagsPlaced = true;
                    }
                } else {
                    parts.add(c);
                }
            }
            if (!tagsPlaced) {
                parts.addAll(newTags);
            }
            for (Object p : parts) {
                body += p instanceof Chunk c ? c.total() : ((byte[]) p).length;
            }
            ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            head.put("RIFF".getBytes(StandardCharsets.ISO_8859_1)).putInt((int) body)
                    .put("WAVE".getBytes(StandardCharsets.ISO_8859_1));
            out.write(head.array());
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            for (Object p : parts) {
                if (p instanceof Chunk c) {
                    long pos = c.offset();
                    long end = c.offset() + c.total();
                    while (pos < end) {
                        buf.clear();
                        buf.limit((int) Math.min(buf.capacity(), end - pos));
                        int n = o.read(buf, pos);
                        if (n < 0) {
                            throw new IOException("the original ends inside its " + c.id().trim() + " chunk");
                        }
                        out.write(buf.array(), 0, n);
                        pos += n;
                    }
                } else {
                    out.write((byte[]) p);
                }
            }
        }
        Files.move(temp, written, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
