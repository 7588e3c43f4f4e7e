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
    private static final long MAX_FILE = Integer.MAX_VALUE - 8;

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
            if (!Files.isRegularFile(p)) {
                return null;
            }
            if (Files.size(p) > MAX_FILE) {
                throw new ModelPackageException(pkg, p.getFileName() + " is larger than 2 GB");
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
        try (ZipFile z = new ZipFile(zip.toFile())) {
            String prefix = zipPrefix(z);
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                if (e.isDirectory() || !e.getName().startsWith(prefix)) {
                    continue;
                }
                String name = Path.of(e.getName().substring(prefix.length())).normalize().toString();
                if (name.startsWith("..") || e.getSize() > MAX_FILE) {
                    throw new ModelPackageException(zip, "bad zip entry " + e.getName());
                }
                try (InputStream in = z.getInputStream(e)) {
                    out.put(name, in.readAllBytes());
                }
            }
        } catch (ModelPackageException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelPackageException(zip, "not a readable zip: " + e.getMessage(), e);
        }
        return out;
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
