package dev.tempered.features.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * The GTZAN fixture committed in the repository's {@code fixtures/gtzan} (sources in {@code fixtures/NOTICE.md}),
 * found by walking up from the working directory, or the {@code data/gtzan} folder of the directory named by
 * the system property {@code tempered.shared}.
 */
final class GtzanFixture {
    static final String CLIP = "blues.00099";

    private GtzanFixture() {
    }

    static Path gtzanDir() {
        String explicit = System.getProperty("tempered.shared");
        if (explicit != null && !explicit.isBlank()) {
            return checked(Paths.get(explicit, "data", "gtzan"), "-Dtempered.shared=" + explicit);
        }
        Path start = Paths.get("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("fixtures").resolve("NOTICE.md"))) {
                return checked(d.resolve("fixtures").resolve("gtzan"), "the repository's fixtures/");
            }
        }
        return fail("No fixtures/NOTICE.md in " + start + " or any parent folder: run the tests inside the"
                + " repository, or pass -Dtempered.shared=DIR with DIR/data/gtzan");
    }

    private static Path checked(Path dir, String where) {
        for (String name : List.of("features_30_sec.csv", CLIP + ".mp3")) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                fail(where + " has no " + dir.resolve(name) + " (see fixtures/NOTICE.md)");
            }
        }
        return dir;
    }

    /** The CSV header (all columns). */
    static List<String> csvHeader() throws IOException {
        try (var lines = Files.lines(gtzanDir().resolve("features_30_sec.csv"), StandardCharsets.UTF_8)) {
            return List.of(lines.findFirst().orElseThrow().split(","));
        }
    }

    /** The 57 descriptor values of the CSV row of {@code name.au}, in CSV order. */
    static double[] csvRow(String name) throws IOException {
        List<String> header = csvHeader();
        try (var lines = Files.lines(gtzanDir().resolve("features_30_sec.csv"), StandardCharsets.UTF_8)) {
            String row = lines.filter(l -> l.startsWith(name + ".au,")).findFirst()
                    .orElseThrow(() -> new AssertionError("no CSV row for " + name));
            String[] cells = row.split(",");
            List<Double> values = new ArrayList<>();
            for (int i = 2; i < header.size() - 1; i++) {
                values.add(Double.parseDouble(cells[i]));
            }
            return values.stream().mapToDouble(Double::doubleValue).toArray();
        }
    }

    /** The clip decoded by ffmpeg to 22,050 Hz mono float, as the reference pipeline's PCM. */
    static float[] decodeWithFfmpeg(Path file) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(),
                "-f", "f32le", "-ac", "1", "-ar", "22050", "-");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return fail("ffmpeg is needed to decode the fixture (apt-get install ffmpeg): " + e.getMessage());
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(bytes);
        }
        int rc = p.waitFor();
        if (rc != 0) {
            fail("ffmpeg failed with exit code " + rc + " on " + file);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        float[] y = new float[buf.remaining() / 4];
        buf.asFloatBuffer().get(y);
        return y;
    }

    static float[] clip() throws IOException, InterruptedException {
        return decodeWithFfmpeg(gtzanDir().resolve(CLIP + ".mp3"));
    }
}
