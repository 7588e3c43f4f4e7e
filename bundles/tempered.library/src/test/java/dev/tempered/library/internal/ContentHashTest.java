package dev.tempered.library.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentHashTest {
    @TempDir
    Path tmp;

    private Path file(String name, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = tmp.resolve(name);
        Files.write(p, b);
        return p;
    }

    @Test
    void changesAtEitherEndOrInSizeChangeTheHash() throws Exception {
        Path f = file("a", 5 << 20, 1);
        String h = ContentHash.of(f);
        assertEquals(h, ContentHash.of(file("b", 5 << 20, 1)), "same content, same hash");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek(10);
            raf.write(raf.read() ^ 1);
        }
        String head = ContentHash.of(f);
        assertNotEquals(h, head, "a tag edit at the start");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.seek((5 << 20) - 3);
            raf.write(0x55);
        }
        assertNotEquals(head, ContentHash.of(f), "a tag edit at the end");
        Files.write(f, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertNotEquals(head, ContentHash.of(f), "a size change");
    }

    @Test
    void smallFilesAreHashedWhole() throws Exception {
        Path a = file("a", 1000, 2);
        Path b = file("b", 1000, 3);
        assertNotEquals(ContentHash.of(a), ContentHash.of(b));
        assertEquals(64, ContentHash.of(a).length());
    }
}
