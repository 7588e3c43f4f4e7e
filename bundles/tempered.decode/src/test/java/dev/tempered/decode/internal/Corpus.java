package dev.tempered.decode.internal;

import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import dev.tempered.nativeaudio.internal.SoxrResampler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Real music from Debian's game-music packages and copies of it in every format, made with ffmpeg, plus the
 * loader wired to the real native decoders exactly as the OSGi components wire it.
 */
final class Corpus {
    static final Path MP3 = Paths.get("/usr/share/games/asc/music/frontiers.mp3");
    static final Path VORBIS = Paths.get("/usr/share/games/singularity/music/Aberrations.ogg");
    static final Path OPUS = Paths.get("/usr/share/games/warzone2100/music/albums/aftermath_soundtrack/track17.opus");
    /** Generated files are kept between runs: making an M4A costs seconds on a small machine. */
    static final Path DIR = Paths.get("target", "corpus").toAbsolutePath();

    private Corpus() {
    }

    /** A Debian corpus file, or a failure that says which package to install. */
    static Path require(Path file, String pkg) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " is missing: install the Debian package " + pkg
                    + " (apt-get install -y " + pkg + ")");
        }
        return file;
    }

    static Path mp3() {
        return require(MP3, "asc-music");
    }

    static Path vorbis() {
        return require(VORBIS, "singularity-music");
    }

    static Path opus() {
        return require(OPUS, "warzone2100-music");
    }

    /** The real formats and the ffmpeg arguments that make a copy of a clip in each. */
    enum Format {
        WAV_S16("wav", "-c:a", "pcm_s16le"),
        WAV_F32("wav", "-c:a", "pcm_f32le"),
        AIFF("aiff", "-c:a", "pcm_s16be"),
        FLAC("flac", "-c:a", "flac"),
        M4A_AAC("m4a", "-c:a", "aac", "-b:a", "160k"),
        M4A_ALAC("m4a", "-c:a", "alac"),
        OGG_VORBIS("ogg", "-c:a", "libvorbis", "-q:a", "5"),
        OPUS("opus", "-c:a", "libopus", "-b:a", "128k"),
        MP3("mp3", "-c:a", "libmp3lame", "-b:a", "192k");

        final String extension;
        final List<String> codecArgs;

        Format(String extension, String... codecArgs) {
            this.extension = extension;
            this.codecArgs = List.of(codecArgs);
        }
    }

    /**
     * A copy of {@code seconds} of real music (the Vorbis track from singularity-music, 48 kHz stereo) starting at
     * {@code from}, in the given format. Cached under target/corpus.
     */
    static Path clip(Format format, double from, double seconds) {
        Path source = vorbis();
        Path out = DIR.resolve(String.format("clip-%s-%.0f-%.0f.%s", format.name().toLowerCase(), from, seconds,
                format.extension));
        if (Files.isRegularFile(out)) {
            return out;
        }
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", Double.toString(from),
                "-t", Double.toString(seconds), "-i", source.toString(), "-map_metadata", "-1", "-vn"));
        cmd.addAll(format.codecArgs);
        Path tmp = DIR.resolve("tmp-" + out.getFileName());
        cmd.add(tmp.toString());
        run(cmd);
        try {
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** ffmpeg's own decode as float samples (interleaved when stereo). */
    static float[] ffmpegDecode(Path file, int channels, int rate) {
        List<String> cmd = new ArrayList<>(List.of("ffmpeg", "-nostdin", "-v", "error", "-threads", "1", "-i",
                file.toString(), "-map", "0:a:0", "-f", "f32le", "-ac", Integer.toString(channels)));
        if (rate > 0) {
            cmd.addAll(List.of("-ar", Integer.toString(rate)));
        }
        cmd.add("-");
        byte[] raw = run(cmd);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[raw.length / 4];
        b.asFloatBuffer().get(out);
        return out;
    }

    static byte[] run(List<String> cmd) {
        try {
            Files.createDirectories(DIR);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            }
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("command failed: " + String.join(" ", cmd)
                        + " (is the Debian package ffmpeg installed?)");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + ": install the Debian package ffmpeg", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The loader with the real decoders at their component default rankings and formats. */
    static DefaultAudioLoader loader() {
        DefaultAudioLoader loader = new DefaultAudioLoader(new SoxrResampler());
        loader.add(new FfmpegDecoder(Set.of("mp4", "aac", "ogg")), 200, 1);
        loader.add(new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg")), 100, 2);
        return loader;
    }

    /** The lag (b shifted by lag aligns with a) and correlation after alignment. */
    record Alignment(int lag, double correlation) {
    }

    /**
     * Finds the lag within ±maxLag that best aligns b to a on an excerpt, then correlates the whole overlap.
     */
    static Alignment align(float[] a, float[] b, int maxLag) {
        int probeStart = Math.min(a.length / 3, Math.max(0, a.length - 100_000));
        int probeLen = Math.min(16_384, Math.max(0, Math.min(a.length, b.length) - probeStart - maxLag));
        int bestLag = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int lag = -maxLag; lag <= maxLag; lag++) {
            double s = 0;
            for (int i = probeStart; i < probeStart + probeLen; i++) {
                int j = i + lag;
                if (j >= 0 && j < b.length) {
                    s += a[i] * b[j];
                }
            }
            if (s > best) {
                best = s;
                bestLag = lag;
            }
        }
        return new Alignment(bestLag, correlation(a, b, bestLag));
    }

    /** Pearson correlation of a[i] and b[i + lag] over their overlap. */
    static double correlation(float[] a, float[] b, int lag) {
        int from = Math.max(0, -lag);
        int to = Math.min(a.length, b.length - lag);
        double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
        int n = 0;
        for (int i = from; i < to; i++) {
            double x = a[i];
            double y = b[i + lag];
            sa += x;
            sb += y;
            saa += x * x;
            sbb += y * y;
            sab += x * y;
            n++;
        }
        if (n == 0) {
            return 0;
        }
        double cov = sab - sa * sb / n;
        double va = saa - sa * sa / n;
        double vb = sbb - sb * sb / n;
        return cov / Math.sqrt(va * vb);
    }

    static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static float[] slice(float[] a, int from, int len) {
        return Arrays.copyOfRange(a, Math.max(0, from), Math.min(a.length, from + len));
    }
}
