package dev.tempered.tagwriter.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The bytes around the audio of each file as it was before Tempered's first write to it, so that undo gives back
 * the very file (field names, their order, padding, an ID3v1-only MP3 without a new ID3v2 tag, a WAV without an
 * ID3 chunk) rather than equal values. One record per file ({@code originals/<sha256 of the path>}): the original's
 * SHA-256, the SHA-256 of the file our newest write left, the bytes before the audio and the bytes after it. The
 * audio itself is not kept: a write moves it but never changes it, so undo takes it from the file as it is, and
 * restores only when the result hashes to the original and the file is still exactly what we left.
 */
final class Originals {
    private static final byte[] MAGIC = "TMPO1".getBytes(StandardCharsets.US_ASCII);
    /** Tags beyond this (huge pictures) are not kept: such a file's undo restores values, as for Ogg. */
    static final long MAX_KEPT = 16L << 20;

    record Record(byte[] originalSha, byte[] writtenSha, byte[] head, byte[] tail) {
    }

    private final Path dir;

    Originals(Path journalDirectory) {
        this.dir = journalDirectory.resolve("originals");
    }

    private Path fileFor(Path file) {
        byte[] h = AudioPayload.sha256().digest(file.toString().getBytes(StandardCharsets.UTF_8));
        return dir.resolve(HexFormat.of().formatHex(h, 0, 16));
    }

    /**
     * Keeps what lies around the audio of {@code original} (not renamed over yet) before the first write of a run,
     * with the hash of the copy that is about to replace it. A format without a contiguous audio region keeps
     * nothing, and any earlier record of the file is dropped.
     */
    void keep(Path original, Format format, Path written) throws IOException {
        long[] range = AudioPayload.range(format, original);
        long size = Files.size(original);
        if (range == null || size - range[1] > MAX_KEPT) {
            forget(original);
            return;
        }
        byte[] head = new byte[(int) range[0]];
        byte[] tail = new byte[(int) (size - range[0] - range[1])];
        try (FileChannel ch = FileChannel.open(original, StandardOpenOption.READ)) {
            AudioPayload.readFully(ch, ByteBuffer.wrap(head), 0);
            AudioPayload.readFully(ch, ByteBuffer.wrap(tail), range[0] + range[1]);
        }
        store(original, new Record(sha(original), sha(written), head, tail));
    }

    /** A later write of the same run: the original stays, the hash of what we left is updated. */
    void written(Path file, Path written) throws IOException {
        Optional<Record> r = read(file);
        if (r.isPresent()) {
            store(file, new Record(r.get().originalSha(), sha(written), r.get().head(), r.get().tail()));
        }
    }

    Optional<Record> read(Path file) throws IOException {
        Path f = fileFor(file);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(Files.newInputStream(f))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                return Optional.empty();
            }
            byte[] original = in.readNBytes(32);
            byte[] written = in.readNBytes(32);
            byte[] head = in.readNBytes(in.readInt());
            byte[] tail = in.readNBytes(in.readInt());
            return Optional.of(new Record(original, written, head, tail));
        } catch (IOException e) {
            // A record torn by a crash is no record: undo then restores values.
            return Optional.empty();
        }
    }

    void forget(Path file) throws IOException {
        Files.deleteIfExists(fileFor(file));
    }

    /**
     * Writes the original into {@code target} from the record and the audio of {@code current}; true when the
     * result hashes to the original. False (target then holds nothing useful) when the file is not what our last
     * write left or the audio no longer fits.
     */
    static boolean restore(Record r, Format format, Path current, Path target) throws IOException {
        if (!Arrays.equals(sha(current), r.writtenSha())) {
            return false;
        }
        long[] range = AudioPayload.range(format, current);
        if (range == null) {
            return false;
        }
        MessageDigest md = AudioPayload.sha256();
        // The target exists already, made by SafeReplace with the file's own mode.
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
                FileChannel in = FileChannel.open(current, StandardOpenOption.READ)) {
            out.write(r.head());
            md.update(r.head());
            ByteBuffer buf = ByteBuffer.allocate(1 << 16);
            long pos = range[0];
            long end = range[0] + range[1];
            while (pos < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                int n = in.read(buf, pos);
                if (n < 0) {
                    return false;
                }
                out.write(buf.array(), 0, n);
                md.update(buf.array(), 0, n);
                pos += n;
            }
            out.write(r.tail());
            md.update(r.tail());
        }
        return Arrays.equals(md.digest(), r.originalSha());
    }

    private void store(Path file, Record r) throws IOException {
        Files.createDirectories(dir);
        Path f = fileFor(file);
        Path temp = f.resolveSibling(f.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(temp))) {
            out.write(MAGIC);
            out.write(r.originalSha());
            out.write(r.writtenSha());
            out.writeInt(r.head().length);
            out.write(r.head());
            out.writeInt(r.tail().length);
            out.write(r.tail());
        }
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(temp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static byte[] sha(Path file) throws IOException {
        MessageDigest md = AudioPayload.sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return md.digest();
    }
}
