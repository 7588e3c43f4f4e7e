package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tempered.api.audio.AudioDecoder;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.nativeaudio.internal.FfmpegDecoder;
import dev.tempered.nativeaudio.internal.SndfileDecoder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Times our decoders against {@code ffmpeg -threads 1 -i FILE -f f32le -} on the same 3-minute copies of a real
 * track, and writes a markdown table. Opt-in, because timings belong in a report, not in a unit test:
 *
 * <pre>
 * mvn -pl bundles/tempered.decode -am verify -Dbench=true -Dtest=DecodeBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * The table goes to {@code bundles/tempered.decode/target/decode-benchmark.md}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class DecodeBenchmark {
    private static final int RUNS = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Best (minimum) wall and CPU seconds over the runs: the least disturbed by other load on the machine. */
    record Timing(double wall, double cpu) {
        Timing min(Timing o) {
            return new Timing(Math.min(wall, o.wall), Math.min(cpu, o.cpu));
        }
    }

    @Test
    void decodersAgainstTheFfmpegCommandLine() throws Exception {
        DefaultAudioLoader loader = Corpus.loader();
        AudioDecoder sndfile = new SndfileDecoder(Set.of("wav", "aiff", "flac", "mp3", "ogg"));
        AudioDecoder ffmpeg = new FfmpegDecoder(Set.of("mp4", "aac", "ogg", "wav", "aiff", "flac", "mp3"));
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Machine: %d cores visible, %s, %s; load average at start %s.%n%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Files.readString(Path.of("/proc/loadavg")).trim()));
        md.append("| format | codec | decoder (default) | ours wall s | ours CPU s | ffmpeg CLI wall s | ffmpeg CLI CPU s"
                + " | CPU ratio ffmpeg/ours | ours x real time (CPU) | libsndfile CPU s | FFmpeg shim CPU s"
                + " | to 22050 Hz mono, CPU s |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Corpus.Format f : Corpus.Format.values()) {
            Path file = Corpus.clip(f, 60, 180);
            DecodeRequest same = new DecodeRequest(0, false, List.of());
            DecodedAudio first = loader.load(file, same);
            double seconds = first.decodedSeconds();
            Timing ours = time(() -> loader.load(file, same));
            Timing cli = ffmpegCli(file);
            String snd = f.name().startsWith("M4A") ? "n/a" : cpu(() -> sndfile.decode(file, same));
            String shim = cpu(() -> ffmpeg.decode(file, same));
            Timing model = time(() -> loader.load(file, DecodeRequest.wholeMono(22050)));
            String line = String.format(Locale.ROOT,
                    "| %s | %s | %s | %.3f | %.3f | %.3f | %.3f | %.2f | %.0f | %s | %s | %.3f |%n", f.name(),
                    first.info().codec(), first.info().decoder(), ours.wall(), ours.cpu(), cli.wall(), cli.cpu(),
                    cli.cpu() / ours.cpu(), seconds / ours.cpu(), snd, shim, model.cpu());
            System.out.print(line);
            md.append(line);
        }
        Path out = Paths.get("target", "decode-benchmark.md");
        Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
        System.out.println("written to " + out.toAbsolutePath());
    }

    interface Run {
        Object run() throws Exception;
    }

    /** CPU seconds, or why this decoder cannot read the file. */
    private static String cpu(Run r) {
        try {
            return String.format(Locale.ROOT, "%.3f", time(r).cpu());
        } catch (Exception e) {
            return "fails: " + e.getMessage().replaceAll(".*: ", "");
        }
    }

    private static Timing time(Run r) throws Exception {
        r.run();
        Timing best = new Timing(Double.MAX_VALUE, Double.MAX_VALUE);
        for (int i = 0; i < RUNS; i++) {
            long c0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            Object result = r.run();
            long t1 = System.nanoTime();
            long c1 = THREADS.getCurrentThreadCpuTime();
            if (result == null) {
                throw new IllegalStateException("no result");
            }
            best = best.min(new Timing((t1 - t0) / 1e9, (c1 - c0) / 1e9));
        }
        return best;
    }

    /** bash's {@code time} reports the child's real, user and system seconds; output goes to /dev/null. */
    private static Timing ffmpegCli(Path file) throws IOException, InterruptedException {
        Timing best = new Timing(Double.MAX_VALUE, Double.MAX_VALUE);
        for (int i = 0; i <= RUNS; i++) {
            Process p = new ProcessBuilder("bash", "-c",
                    "TIMEFORMAT='%3R %3U %3S'; time ffmpeg -nostdin -v error -threads 1 -i \"$0\" -f f32le - >/dev/null",
                    file.toString()).redirectErrorStream(true).start();
            String outText = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.waitFor(), outText);
            String[] lines = outText.split("\n");
            String[] t = lines[lines.length - 1].trim().split(" ");
            Timing timing = new Timing(Double.parseDouble(t[0]), Double.parseDouble(t[1]) + Double.parseDouble(t[2]));
            if (i > 0) {
                best = best.min(timing);
            }
        }
        return best;
    }
}
