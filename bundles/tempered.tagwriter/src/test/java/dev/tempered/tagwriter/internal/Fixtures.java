package dev.tempered.tagwriter.internal;

import static org.junit.jupiter.api.Assertions.fail;

import dev.tempered.api.ModelRef;
import dev.tempered.api.calibration.GenrePrediction;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Test files in every format, made once per JVM with ffmpeg from 10-second excerpts of Debian's music packages,
 * each with ordinary tags and (where the format has a place for one) a cover picture.
 */
final class Fixtures {
    /** File name to whether it carries a cover picture. */
    static final Map<String, Boolean> FILES = new LinkedHashMap<>();

    static {
        FILES.put("v23.mp3", true);
        FILES.put("v24.mp3", true);
        // As Debian's asc-music ships it: no ID3v2 at all, only an ID3v1 tag at the end.
        FILES.put("v1only.mp3", false);
        FILES.put("a.flac", true);
        FILES.put("aac.m4a", true);
        FILES.put("alac.m4a", true);
        FILES.put("a.wav", false);
        FILES.put("a.aiff", false);
        FILES.put("a.ogg", true);
        FILES.put("a.opus", true);
        // As older Vorbis encoders wrote it (12 of Debian's 41 wesnoth tracks): audio on the setup header's page.
        FILES.put("shared-page.ogg", false);
    }

    private static Path dir;

    private Fixtures() {
    }

    static synchronized Path dir() throws Exception {
        if (dir == null) {
            Path d = Files.createTempDirectory("tempered-tag-fixtures");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
            make(d);
            dir = d;
        }
        return dir;
    }

    private static void deleteTree(Path d) {
        try (java.util.stream.Stream<Path> s = Files.walk(d)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory; the OS cleans /tmp eventually
        }
    }

    /** A fresh copy of one fixture in {@code into}. */
    static Path copy(String name, Path into) throws Exception {
        Path target = into.resolve(name);
        Files.copy(dir().resolve(name), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    static Path corpus(String pkg, String ext) throws Exception {
        String out = run(List.of("dpkg", "-L", pkg));
        for (String line : out.split("\n")) {
            if (line.endsWith(ext) && Files.isRegularFile(Path.of(line))) {
                return Path.of(line);
            }
        }
        fail("no " + ext + " file from Debian package " + pkg + ": apt-get install " + pkg);
        return null;
    }

    private static void make(Path d) throws Exception {
        Path mp3 = corpus("asc-music", ".mp3");
        Path ogg = corpus("singularity-music", ".ogg");
        Path opus = corpus("warzone2100-music", ".opus");
        Path cover = d.resolve("cover.png");
        ffmpeg("-f", "lavfi", "-i", "color=c=red:s=64x64:d=1", "-frames:v", "1", cover.toString());
        List<String> meta = List.of("-metadata", "title=Frontiers", "-metadata", "artist=ASC", "-metadata",
                "album=Corpus", "-metadata", "comment=keep-me", "-metadata", "custom_note=not ours");
        List<String> pic = List.of("-i", cover.toString(), "-map", "0:a", "-map", "1", "-c:v", "png",
                "-disposition:v", "attached_pic");
        make(d, mp3, "v23.mp3", pic, meta, "-c:a", "copy", "-id3v2_version", "3");
        make(d, mp3, "v24.mp3", pic, meta, "-c:a", "copy", "-id3v2_version", "4");
        make(d, mp3, "v1only.mp3", List.of(), meta, "-c:a", "copy", "-write_id3v2", "0", "-write_id3v1", "1");
        stripId3v2(d.resolve("v1only.mp3"));
        make(d, mp3, "a.flac", pic, meta, "-c:a", "flac");
        make(d, mp3, "aac.m4a", pic, meta, "-c:a", "aac", "-b:a", "96k");
        make(d, mp3, "alac.m4a", pic, meta, "-c:a", "alac");
        make(d, mp3, "a.wav", List.of(), meta, "-c:a", "pcm_s16le");
        make(d, mp3, "a.aiff", List.of(), meta, "-c:a", "pcm_s16be", "-write_id3v2", "1");
        List<String> oggMeta = new ArrayList<>();
        for (String m : meta) {
            oggMeta.add(m.equals("-metadata") ? "-metadata:s:a:0" : m);
        }
        oggMeta.add("-metadata:s:a:0");
        oggMeta.add("METADATA_BLOCK_PICTURE=" + flacPicture(Files.readAllBytes(cover)));
        make(d, ogg, "a.ogg", List.of(), oggMeta, "-map", "0:a", "-c:a", "copy");
        make(d, opus, "a.opus", List.of(), oggMeta, "-map", "0:a", "-c:a", "copy");
        sharedPageExcerpt(corpus("wesnoth-1.16-music", "elvish-theme.ogg"), d.resolve("shared-page.ogg"));
    }

    /**
     * The first 40 or so pages of a real Vorbis file whose first audio packets share a page with the setup header,
     * up to a page that ends a packet, which is marked end of stream. ffmpeg cannot make such a file (it starts audio on a fresh page), so it is cut
     * from the original, page by page, checksums recomputed.
     */
    private static void sharedPageExcerpt(Path src, Path target) throws IOException {
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(src));
                java.io.OutputStream out = Files.newOutputStream(target)) {
            int headerPackets = 0;
            boolean shared = false;
            for (int n = 0;; n++) {
                OggPage p = OggPage.read(in);
                if (p == null) {
                    fail(src + " has fewer than 40 pages");
                }
                boolean endsPacket = p.lacing.length > 0 && p.lacing[p.lacing.length - 1] < 255;
                for (int i = 0; i < p.lacing.length; i++) {
                    if (headerPackets == 3) {
                        shared |= n <= 3;
                    } else if (p.lacing[i] < 255) {
                        headerPackets++;
                    }
                }
                if (n >= 39 && endsPacket) {
                    out.write(new OggPage(p.flags | OggPage.LAST, p.granule, p.serial, p.sequence, p.lacing, p.body)
                            .toBytes());
                    break;
                }
                out.write(p.toBytes());
            }
            if (!shared) {
                fail(src + " no longer has audio on its setup header's page: pick another fixture");
            }
        }
    }

    private static void make(Path d, Path src, String name, List<String> pic, List<String> meta, String... codec)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("-t", "10", "-i", src.toString()));
        args.addAll(pic);
        args.addAll(List.of(codec));
        args.addAll(meta);
        args.add(d.resolve(name).toString());
        ffmpeg(args.toArray(String[]::new));
    }

    /** Drops a leading ID3v2 tag (ffmpeg still writes an empty one with -write_id3v2 0). */
    private static void stripId3v2(Path f) throws IOException {
        byte[] b = Files.readAllBytes(f);
        if (b.length > 10 && b[0] == 'I' && b[1] == 'D' && b[2] == '3') {
            int size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
            int end = 10 + size + ((b[5] & 0x10) != 0 ? 10 : 0);
            Files.write(f, java.util.Arrays.copyOfRange(b, end, b.length));
        }
        if (b.length > 0 && Files.readAllBytes(f)[0] != (byte) 0xff) {
            fail(f + " does not start with an MPEG frame after stripping its ID3v2 tag");
        }
    }

    /** A FLAC picture block, base64, as Vorbis comments carry cover art. */
    static String flacPicture(byte[] png) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        byte[] mime = "image/png".getBytes(StandardCharsets.US_ASCII);
        o.writeInt(3);
        o.writeInt(mime.length);
        o.write(mime);
        o.writeInt(0);
        o.writeInt(64);
        o.writeInt(64);
        o.writeInt(24);
        o.writeInt(0);
        o.writeInt(png.length);
        o.write(png);
        return Base64.getEncoder().encodeToString(b.toByteArray());
    }

    static void ffmpeg(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y"));
        cmd.addAll(List.of(args));
        run(cmd);
    }

    /** The decoded audio's MD5, as ffmpeg computes it: the check that the sound did not change. */
    static String audioMd5(Path f) throws Exception {
        return run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", f.toString(), "-map", "0:a", "-f", "md5", "-"))
                .trim();
    }

    /** The attached picture's bytes, hashed by ffmpeg. */
    static String pictureMd5(Path f) throws Exception {
        return run(List.of("ffmpeg", "-nostdin", "-v", "error", "-i", f.toString(), "-map", "0:v", "-c", "copy",
                "-f", "md5", "-")).trim();
    }

    /** Format and stream tags as ffprobe sees them, keys lower-cased. */
    static Map<String, String> probeTags(Path f) throws Exception {
        String out = run(List.of("ffprobe", "-v", "error", "-show_entries", "format_tags:stream_tags", "-of",
                "default=noprint_wrappers=1", f.toString()));
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("TAG:")) {
                int eq = line.indexOf('=');
                m.put(line.substring(4, eq).toLowerCase(java.util.Locale.ROOT), line.substring(eq + 1));
            }
        }
        return m;
    }

    static String sha256(Path f) throws IOException {
        return HexFormat.of().formatHex(AudioPayload.sha256().digest(Files.readAllBytes(f)));
    }

    static GenrePrediction prediction(double top) {
        List<String> labels = List.of("blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop",
                "reggae", "rock");
        double[] p = new double[labels.size()];
        double rest = (1 - top) / (labels.size() - 1);
        for (int i = 0; i < p.length; i++) {
            p[i] = i == labels.size() - 1 ? top : rest;
        }
        return GenrePrediction.of(new ModelRef("gtzan-mlp", "1.0.0"), 1.25, labels, p, 0.01);
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + new String(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
