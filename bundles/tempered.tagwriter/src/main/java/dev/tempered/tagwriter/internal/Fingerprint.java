package dev.tempered.tagwriter.internal;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Short digests of tag values, so preserved pictures and texts compare without holding them twice. */
final class Fingerprint {
    private Fingerprint() {
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(AudioPayload.sha256().digest(b), 0, 12);
    }

    static String of(String s) {
        return of(s.getBytes(StandardCharsets.UTF_8));
    }
}
