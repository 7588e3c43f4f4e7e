package dev.tempered.tagwriter.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/** The container formats the writer handles, recognised by content rather than by file name. */
enum Format {
    MP3("mp3"), FLAC("flac"), OGG_VORBIS("ogg"), OPUS("opus"), MP4("m4a"), WAV("wav"), AIFF("aif");

    /** The extension jaudiotagger needs to pick its reader; our temporary files keep the original's name. */
    final String extension;

    Format(String extension) {
        this.extension = extension;
    }

    static Optional<Format> detect(Path file) throws IOException {
        byte[] head = new byte[64];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        if (n < 12) {
            return Optional.empty();
        }
        if (ascii(head, 0, 4).equals("fLaC")) {
            return Optional.of(FLAC);
        }
        if (ascii(head, 0, 4).equals("RIFF") && ascii(head, 8, 4).equals("WAVE")) {
            return Optional.of(WAV);
        }
        if (ascii(head, 0, 4).equals("FORM") && (ascii(head, 8, 4).equals("AIFF") || ascii(head, 8, 4).equals("AIFC"))) {
            return Optional.of(AIFF);
        }
        if (ascii(head, 4, 4).equals("ftyp")) {
            return Optional.of(MP4);
        }
        if (ascii(head, 0, 4).equals("OggS") && n >= 28 + 8) {
            int segments = head[26] & 0xff;
            int body = 27 + segments;
            if (body + 8 <= n) {
                String magic = ascii(head, body, 8);
                if (magic.equals("OpusHead")) {
                    return Optional.of(OPUS);
                }
                if (magic.startsWith("\u0001vorbis")) {
                    return Optional.of(OGG_VORBIS);
                }
            }
            return Optional.empty();
        }
        if (ascii(head, 0, 3).equals("ID3")) {
            // ID3v2 also heads FLAC files now and then; only a tag followed by MPEG audio is an MP3 for us.
            return Mp3Layout.startsWithMpegAfterTag(file) ? Optional.of(MP3) : Optional.empty();
        }
        if ((head[0] & 0xff) == 0xff && (head[1] & 0xe0) == 0xe0 && Mp3Layout.isFrameHeader(Arrays.copyOf(head, 4), 0)) {
            return Optional.of(MP3);
        }
        return Optional.empty();
    }

    private static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.ISO_8859_1);
    }
}
