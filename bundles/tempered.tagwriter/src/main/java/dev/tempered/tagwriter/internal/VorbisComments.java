package dev.tempered.tagwriter.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Vorbis comment packet as Ogg Vorbis ({@code \3vorbis}) and Opus ({@code OpusTags}) carry it: magic, vendor,
 * {@code NAME=value} comments in file order, and whatever follows them (Vorbis' framing bit, Opus' optional
 * binary data), kept byte for byte.
 */
record VorbisComments(byte[] magic, String vendor, List<String> comments, byte[] trailing) {
    VorbisComments {
        comments = List.copyOf(comments);
    }

    static VorbisComments parse(byte[] packet, byte[] magic) throws IOException {
        if (packet.length < magic.length || !Arrays.equals(Arrays.copyOf(packet, magic.length), magic)) {
            throw new IOException("comment header missing");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(packet).order(ByteOrder.LITTLE_ENDIAN);
            b.position(magic.length);
            String vendor = string(b);
            long count = Integer.toUnsignedLong(b.getInt());
            List<String> comments = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                comments.add(string(b));
            }
            byte[] trailing = new byte[b.remaining()];
            b.get(trailing);
            return new VorbisComments(magic, vendor, comments, trailing);
        } catch (RuntimeException e) {
            throw new IOException("damaged comment header", e);
        }
    }

    private static String string(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("bad length");
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(magic);
        put(out, vendor);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(comments.size()).array());
        for (String c : comments) {
            put(out, c);
        }
        out.writeBytes(trailing);
        return out.toByteArray();
    }

    private static void put(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
    }

    static String key(String comment) {
        int eq = comment.indexOf('=');
        return (eq < 0 ? comment : comment.substring(0, eq)).toUpperCase(Locale.ROOT);
    }

    static String value(String comment) {
        int eq = comment.indexOf('=');
        return eq < 0 ? "" : comment.substring(eq + 1);
    }

    /** Field names compare case-insensitively, as the Vorbis comment specification says. */
    List<String> values(String name) {
        List<String> v = new ArrayList<>();
        for (String c : comments) {
            if (key(c).equals(name.toUpperCase(Locale.ROOT))) {
                v.add(value(c));
            }
        }
        return v;
    }

    TagValues toValues() {
        Map<String, String> ours = new LinkedHashMap<>();
        for (String f : TagValues.OUR_FIELDS) {
            List<String> v = values(f);
            if (!v.isEmpty()) {
                ours.put(f, v.get(0));
            }
        }
        Map<String, List<String>> others = new LinkedHashMap<>();
        others.put("vendor", List.of(vendor));
        others.put("trailing", List.of(Fingerprint.of(trailing)));
        for (String c : comments) {
            String k = key(c);
            if (!k.equals(TagValues.GENRE) && !TagValues.OUR_FIELDS.contains(k)) {
                others.computeIfAbsent(k, x -> new ArrayList<>()).add(Fingerprint.of(c));
            }
        }
        return new TagValues(values(TagValues.GENRE), ours, others);
    }

    /** Applies a change: other comments keep their order; changed fields go to the end. */
    VorbisComments with(TagChange change) {
        List<String> out = new ArrayList<>();
        for (String c : comments) {
            String k = key(c);
            boolean replaced = (k.equals(TagValues.GENRE) && change.genres() != null) || change.fields().containsKey(k);
            if (!replaced) {
                out.add(c);
            }
        }
        if (change.genres() != null) {
            for (String g : change.genres()) {
                out.add(TagValues.GENRE + "=" + g);
            }
        }
        for (String f : TagValues.OUR_FIELDS) {
            String v = change.fields().get(f);
            if (v != null && !v.isEmpty()) {
                out.add(f + "=" + v);
            }
        }
        return new VorbisComments(magic, vendor, out, trailing);
    }
}
