package dev.tempered.inference.internal;

import dev.tempered.api.model.ModelPackageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The bytes of a model package, read once from a directory or a .zip and checked against the manifest's
 * hashes. The session is created from these same bytes, so what was verified is what runs.
 */
final class PackageFiles {
    /**
     * Bounds on what a package may hold, checked while reading (a zip's headers may lie about sizes): the
     * shipped packages are under 2 MB, so these leave room for far larger models while keeping a hostile
     * package from filling memory.
     */
    static final long MAX_FILE = 256L << 20;
    static final long MAX_TOTAL = 512L << 20;
    static final int MAX_ENTRIES = 64;
    /** Inflated/compressed size at most, for entries over {@link #RATIO_FLOOR}: ONNX weights barely compress. */
    static final long MAX_RATIO = 20;
    static final long RATIO_FLOOR = 1L << 20;

    private PackageFiles() {
    }

    /** Whether a path looks like a package: a directory holding model.json, or a .zip. */
    static boolean isPackage(Path p) {
        return Files.isDirectory(p) ? Files.isRegularFile(p.resolve("model.json"))
                : Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
    }

    /**
     * Reads {@code model.json} and every file it lists, verifying each sha256 and that no unlisted .onnx
     * file sits in the package.
     *
     * @return the manifest and the graph's bytes
     */
    static Loaded read(Path pkg) throws ModelPackageException {
        boolean dir = Files.isDirectory(pkg);
        Map<String, byte[]> zip = dir ? Map.of() : readZip(pkg);
        byte[] json = dir ? readOptional(pkg, pkg.resolve("model.json")) : zip.get("model.json");
        if (json == null) {
            throw new ModelPackageException(pkg, "no model.json in the package");
        }
        PackageManifest manifest = PackageManifest.parse(pkg, json);
        byte[] graph = null;
        byte[] heads = null;
        for (Map.Entry<String, String> f : manifest.files().entrySet()) {
            byte[] bytes = dir ? readOptional(pkg, pkg.resolve(f.getKey())) : zip.get(f.getKey());
            if (bytes == null) {
                throw new ModelPackageException(pkg, "file listed in model.json is missing: " + f.getKey());
            }
            String actual = sha256(bytes);
            if (!actual.equals(f.getValue())) {
                throw new ModelPackageException(pkg, "sha256 mismatch for " + f.getKey() + ": model.json says "
                        + f.getValue() + ", file has " + actual);
            }
            if (f.getKey().equals(manifest.embedding().heads())) {
                heads = bytes;
            }
            if (f.getKey().equals(manifest.graphFile())) {
                graph = bytes;
            }
        }
        for (String name : dir ? onnxNames(pkg) : zip.keySet()) {
            if (name.toLowerCase(Locale.ROOT).endsWith(".onnx") && !manifest.files().containsKey(name)) {
                throw new ModelPackageException(pkg, "ONNX file " + name + " is not listed in model.json 'files'");
            }
        }
        return new Loaded(manifest, graph, heads);
    }

    /** A verified manifest, its graph and the heads-only graph (null when the package has none). */
    record Loaded(PackageManifest manifest, byte[] graph, byte[] heads) {
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static List<String> onnxNames(Path dir) throws ModelPackageException {
        try (Stream<Path> files = Files.walk(dir, 4)) {
            return files.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".onnx")).toList();
        } catch (IOException | UncheckedIOException e) {
            throw new ModelPackageException(dir, "cannot list the package: " + e.getMessage(), e);
        }
    }

    /** The file's bytes, or null when it does not exist. */
    private static byte[] readOptional(Path pkg, Path p) throws ModelPackageException {
        try {
            if (Files.isSymbolicLink(p) || (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    && !p.toRealPath().startsWith(pkg.toRealPath()))) {
                // A link could make us read (and quote in an error) any file the process can read.
                throw new ModelPackageException(pkg, p.getFileName() + " is a symbolic link or lies outside the"
                        + " package; package files must be plain files");
            }
            if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            if (Files.size(p) > MAX_FILE) {
                throw new ModelPackageException(pkg, p.getFileName() + " is larger than " + (MAX_FILE >> 20)
                        + " MB");
            }
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new ModelPackageException(pkg, "cannot read " + p.getFileName() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, byte[]> readZip(Path zip) throws ModelPackageException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (Files.isSymbolicLink(zip)) {
            throw new ModelPackageException(zip, "the package is a symbolic link; packages must be plain files");
        }
        try (ZipFile z = new ZipFile(zip.toFile())) {
            if (z.size() > MAX_ENTRIES) {
                throw new ModelPackageException(zip, "the zip holds " + z.size() + " entries (at most " + MAX_ENTRIES
                        + ")");
            }
            String prefix = zipPrefix(z);
            long total = 0;
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                if (e.isDirectory() || !e.getName().startsWith(prefix)) {
                    continue;
                }
                String name = Path.of(e.getName().substring(prefix.length())).normalize().toString();
                if (name.startsWith("..") || name.startsWith("/") || e.getSize() > MAX_FILE) {
                    throw new ModelPackageException(zip, "bad zip entry " + ManifestText.of(e.getName()));
                }
                byte[] bytes = bounded(zip, e, z, MAX_TOTAL - total);
                total += bytes.length;
                out.put(name, bytes);
            }
        } catch (ModelPackageException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelPackageException(zip, "not a readable zip: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Reads one entry counting what really inflates, never trusting the header: a bomb whose entries claim a few
     * bytes is stopped at the first byte over a bound.
     */
    private static byte[] bounded(Path zip, ZipEntry e, ZipFile z, long totalLeft) throws IOException,
            ModelPackageException {
        long limit = Math.min(MAX_FILE, totalLeft);
        long compressed = Math.max(1, e.getCompressedSize());
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        try (InputStream in = z.getInputStream(e)) {
            long n = 0;
            for (int r; (r = in.read(chunk)) > 0; ) {
                n += r;
                if (n > limit) {
                    throw new ModelPackageException(zip, "zip entry " + ManifestText.of(e.getName())
                            + " inflates past " + (limit >> 20) + " MB (entries at most " + (MAX_FILE >> 20)
                            + " MB, " + (MAX_TOTAL >> 20) + " MB in all)");
                }
                if (e.getSize() >= 0 && n > e.getSize()) {
                    throw new ModelPackageException(zip, "zip entry " + ManifestText.of(e.getName()) + " claims "
                            + e.getSize() + " bytes but inflates to more (a zip bomb?)");
                }
                if (n > RATIO_FLOOR && n / compressed > MAX_RATIO) {
                    throw new ModelPackageException(zip, "zip entry " + ManifestText.of(e.getName())
                            + " inflates more than " + MAX_RATIO + " times its compressed size (a zip bomb?)");
                }
                buf.write(chunk, 0, r);
            }
        }
        return buf.toByteArray();
    }

    /** Names from a package, as they can be logged. */
    static final class ManifestText {
        private ManifestText() {
        }

        static String of(String s) {
            return "'" + PackageManifest.printable(s) + "'";
        }
    }

    /** model.json may sit at the zip's root or inside one top-level folder (as `zip -r pkg.zip dir/` makes). */
    private static String zipPrefix(ZipFile z) throws ModelPackageException {
        if (z.getEntry("model.json") != null) {
            return "";
        }
        String found = null;
        for (ZipEntry e : java.util.Collections.list(z.entries())) {
            String n = e.getName();
            if (n.endsWith("/model.json") && n.indexOf('/') == n.length() - "/model.json".length()) {
                if (found != null) {
                    throw new ModelPackageException(Path.of(z.getName()), "the zip holds more than one model.json");
                }
                found = n.substring(0, n.length() - "model.json".length());
            }
        }
        return found == null ? "" : found;
    }
}
