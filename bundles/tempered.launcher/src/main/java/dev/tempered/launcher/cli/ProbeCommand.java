package dev.tempered.launcher.cli;

import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.AudioInfo;
import dev.tempered.api.audio.AudioLoader;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tempered probe}: what each audio file is and how fast it decodes. */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"show format, codec, rate, channels, duration and decode speed of audio files", "",
            "Recognises each file by its content and prints one line per file: container format, codec, sample",
            "rate, channels, duration, the decoder that reads it, and how fast the whole file decodes (in",
            "2-minute windows, so memory stays bounded), in multiples of real time (x RT)."},
        footer = {"%nA file that fails is reported on stderr with the reason and the others go on; exit status 1",
            "then.", "Example: tempered probe --rate 22050 --mono music/*.flac"})
public final class ProbeCommand implements TemperedCommand {
    /** Decode in windows of this length: memory stays bounded for files of any length. */
    private static final double CHUNK_SECONDS = 120;

    @Option(names = "--rate", paramLabel = "HZ",
            description = "also resample to HZ while decoding (the model path, e.g. 22050)")
    int rate;

    @Option(names = "--mono", description = "also downmix to mono while decoding")
    boolean mono;

    @Option(names = "--no-decode", description = "read the headers only; no speed is measured")
    boolean noDecode;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "audio files")
    List<Path> files = new ArrayList<>();

    @Override
    public int run(CliContext context) throws Exception {
        if (rate < 0 || rate > 768_000) {
            throw new UsageException("--rate must be between 1 and 768000 Hz");
        }
        boolean decode = !noDecode;
        if (files.isEmpty()) {
            throw new UsageException("no files given");
        }
        AudioLoader loader = context.service(AudioLoader.class, Duration.ofSeconds(30));
        PrintStream out = context.out();
        out.printf(Locale.ROOT, "%-7s %-10s %7s %3s %10s %-10s %9s  %s%n", "FORMAT", "CODEC", "RATE", "CH", "DURATION",
                "DECODER", "SPEED", "FILE");
        int failed = 0;
        for (Path file : files) {
            try {
                AudioInfo info = loader.probe(file);
                String speed = "-";
                if (decode) {
                    long t0 = System.nanoTime();
                    double decoded = decodeAll(loader, file, info, rate, mono);
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    speed = String.format(Locale.ROOT, "%.0fx RT", decoded / Math.max(seconds, 1e-9));
                }
                out.printf(Locale.ROOT, "%-7s %-10s %7d %3d %10s %-10s %9s  %s%n", info.container(), info.codec(),
                        info.sampleRate(), info.channels(), duration(info.durationSeconds()), info.decoder(), speed,
                        file);
            } catch (AudioException e) {
                failed++;
                // The exception's message starts with the file's path.
                context.err().println("tempered probe: " + e.getMessage());
            }
            out.flush();
        }
        return failed == 0 ? OK : SOME_FAILED;
    }

    /**
     * Decodes the whole file in consecutive windows, so a two-hour file never sits in memory at once.
     *
     * @return the seconds of audio decoded
     */
    private static double decodeAll(AudioLoader loader, Path file, AudioInfo info, int rate, boolean mono)
            throws AudioException {
        if (info.durationSeconds() <= CHUNK_SECONDS) {
            return loader.load(file, new DecodeRequest(rate, mono, List.of())).decodedSeconds();
        }
        double decoded = 0;
        // The header's duration may be an estimate: go on until a window comes back short.
        for (double start = 0; ; start += CHUNK_SECONDS) {
            DecodedAudio part = loader.load(file, new DecodeRequest(rate, mono,
                    List.of(new DecodeRequest.TimeRange(start, CHUNK_SECONDS))));
            double got = part.decodedSeconds();
            decoded += got;
            if (got < CHUNK_SECONDS - 0.5) {
                return decoded;
            }
        }
    }

    private static String duration(double seconds) {
        long ms = Math.round(seconds * 1000);
        long h = ms / 3_600_000;
        long m = ms / 60_000 % 60;
        double s = ms % 60_000 / 1000.0;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%06.3f", h, m, s)
                : String.format(Locale.ROOT, "%d:%06.3f", m, s);
    }
}
