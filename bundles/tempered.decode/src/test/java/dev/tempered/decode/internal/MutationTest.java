package dev.tempered.decode.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.audio.AudioException;
import dev.tempered.api.audio.CorruptAudioException;
import dev.tempered.api.audio.DecodeRequest;
import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.audio.UnsupportedAudioException;
import dev.tempered.nativeaudio.internal.NativeHandles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real files with random bytes overwritten, in the headers and in the audio: each either decodes or gives a domain
 * error; nothing else escapes and the JVM (which runs the native decoders in-process) survives.
 */
class MutationTest {
    private static final int MUTANTS = 40;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Corpus.Format.class)
    void damagedFilesNeverEscapeTheDomainErrors(Corpus.Format format) throws Exception {
        DefaultAudioLoader loader = Corpus.loader();
        byte[] original = Files.readAllBytes(Corpus.clip(format, 60, 2));
        Random random = new Random(format.ordinal() * 1000L + 17);
        int decoded = 0;
        int unsupported = 0;
        int corrupt = 0;
        for (int m = 0; m < MUTANTS; m++) {
            byte[] b = original.clone();
            int edits = 1 + random.nextInt(16);
            for (int e = 0; e < edits; e++) {
                // Half of the edits hit the first 4 KiB, where the headers that size buffers live.
                int pos = random.nextBoolean() ? random.nextInt(Math.min(4096, b.length)) : random.nextInt(b.length);
                b[pos] = (byte) random.nextInt(256);
            }
            Path p = dir.resolve("mutant-" + m + "." + format.extension);
            Files.write(p, b);
            try {
                DecodedAudio a = loader.load(p, new DecodeRequest(16000, true,
                        m % 2 == 0 ? List.of() : List.of(new DecodeRequest.TimeRange(0.5, 1))));
                assertTrue(a.decodedSeconds() >= 0);
                decoded++;
            } catch (UnsupportedAudioException e) {
                unsupported++;
                assertEquals(p, e.file().orElseThrow());
            } catch (CorruptAudioException e) {
                corrupt++;
                assertEquals(p, e.file().orElseThrow());
            } catch (AudioException e) {
                throw new AssertionError("a bare AudioException for " + p, e);
            }
            Files.delete(p);
        }
        System.out.printf("%-10s %d mutants: %d decoded, %d unsupported, %d corrupt%n", format, MUTANTS, decoded,
                unsupported, corrupt);
        assertEquals(0, NativeHandles.open(), "native handles left open");
    }
}
