package dev.tempered.inference.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The generated test packages (src/test/python/make_models.py) and ways to copy and damage them. */
final class TestPackages {
    static final ObjectMapper JSON = new ObjectMapper();

    private TestPackages() {
    }

    /** The committed package of that name (tiny-1, tiny-2, other, mcd, nan). */
    static Path resource(String name) {
        try {
            return Path.of(TestPackages.class.getResource("/packages/" + name + "/model.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a committed package into {@code dir/as} and returns the copy. */
    static Path copy(String name, Path dir, String as) {
        Path target = dir.resolve(as);
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(resource(name))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Copies a package directory (flat) to {@code target}. */
    static Path copyTree(Path pkg, Path target) {
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(pkg)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** Edits a package's model.json. */
    static void editManifest(Path pkg, Consumer<ObjectNode> edit) {
        try {
            ObjectNode root = (ObjectNode) JSON.readTree(pkg.resolve("model.json").toFile());
            edit.accept(root);
            JSON.writerWithDefaultPrettyPrinter().writeValue(pkg.resolve("model.json").toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the current sha256 of a package's file in its model.json, so later checks get past the hash. */
    static void rehash(Path pkg, String file) {
        try {
            String hash = PackageFiles.sha256(Files.readAllBytes(pkg.resolve(file)));
            editManifest(pkg, root -> ((ObjectNode) root.get("files")).put(file, hash));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Zips a package directory, optionally under a top-level folder. */
    static Path zip(Path pkg, Path zipFile, String folder) {
        try (OutputStream out = Files.newOutputStream(zipFile); ZipOutputStream z = new ZipOutputStream(out);
                Stream<Path> files = Files.list(pkg)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                z.putNextEntry(new ZipEntry((folder == null ? "" : folder + "/") + f.getFileName()));
                z.write(Files.readAllBytes(f));
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zipFile;
    }

    /**
     * A zip bomb: the package plus an entry of {@code megabytes} MB of zeros whose central directory claims 10
     * bytes, as a hostile package would.
     */
    static Path bomb(Path pkg, Path zipFile, int megabytes) {
        try {
            try (OutputStream out = Files.newOutputStream(zipFile); ZipOutputStream z = new ZipOutputStream(out);
                    Stream<Path> files = Files.list(pkg)) {
                for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                    z.putNextEntry(new ZipEntry(f.getFileName().toString()));
                    z.write(Files.readAllBytes(f));
                    z.closeEntry();
                }
                z.putNextEntry(new ZipEntry("zeros.bin"));
                byte[] mb = new byte[1 << 20];
                for (int i = 0; i < megabytes; i++) {
                    z.write(mb);
                }
                z.closeEntry();
            }
            byte[] b = Files.readAllBytes(zipFile);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            byte[] name = "zeros.bin".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int i = 0; i + 46 < b.length; i++) {
                if (buf.getInt(i) == 0x02014b50 && buf.getShort(i + 28) == name.length
                        && java.util.Arrays.equals(b, i + 46, i + 46 + name.length, name, 0, name.length)) {
                    buf.putInt(i + 24, 10); // uncompressed size: a lie
                }
            }
            Files.write(zipFile, b);
            return zipFile;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deterministic test rows. */
    static float[][] rows(int n, int features, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[][] x = new float[n][features];
        for (float[] row : x) {
            for (int i = 0; i < features; i++) {
                row[i] = (float) r.nextGaussian();
            }
        }
        return x;
    }
}
