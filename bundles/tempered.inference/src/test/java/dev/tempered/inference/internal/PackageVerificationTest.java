package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tempered.api.ModelRef;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading verifies the manifest, the hashes, the graph's signature and a dry run; each failure says what and where. */
class PackageVerificationTest {
    private static final RunnerOptions OPTIONS = new RunnerOptions(1, false, 1024, true);

    @TempDir
    Path tmp;

    @Test
    void goodPackageLoadsWithItsDeclaration() throws Exception {
        OnnxEnsembleModel m = OnnxEnsembleModel.open(TestPackages.resource("tiny-1"), OPTIONS);
        try {
            ModelSpec spec = m.spec();
            assertEquals(new ModelRef("tiny", "1.0.0"), spec.ref());
            assertEquals(List.of("rock", "jazz", "blues", "pop"), spec.labels());
            assertEquals(3, spec.members());
            assertEquals(1.5, spec.defaultTemperature());
            assertEquals(List.of(-1L, 8L), spec.inputShape());
            assertEquals(8, m.manifest().features().size());
            assertEquals("random weights", spec.provenance().get("data"));
            EnsembleOutput out = m.run(TestPackages.rows(5, 8, 1));
            assertEquals(5, out.batch());
            assertEquals(3, out.members());
            assertEquals(4, out.classes());
            assertEquals(spec.ref(), out.model());
        } finally {
            m.release();
        }
    }

    @Test
    void zipPackagesLoadWithOrWithoutATopFolder() throws Exception {
        Path flat = TestPackages.zip(TestPackages.resource("tiny-2"), tmp.resolve("flat.zip"), null);
        Path nested = TestPackages.zip(TestPackages.resource("tiny-2"), tmp.resolve("nested.zip"), "tiny-2");
        float[][] x = TestPackages.rows(3, 8, 2);
        OnnxEnsembleModel a = OnnxEnsembleModel.open(flat, OPTIONS);
        OnnxEnsembleModel b = OnnxEnsembleModel.open(nested, OPTIONS);
        OnnxEnsembleModel dir = OnnxEnsembleModel.open(TestPackages.resource("tiny-2"), OPTIONS);
        try {
            assertArrayEquals(dir.run(x).logits(), a.run(x).logits());
            assertArrayEquals(dir.run(x).logits(), b.run(x).logits());
        } finally {
            a.release();
            b.release();
            dir.release();
        }
    }

    @Test
    void badHash() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> ((ObjectNode) root.get("files")).put("model.onnx", "0".repeat(64)));
        assertRejected(pkg, "sha256 mismatch for model.onnx");
    }

    @Test
    void modifiedGraphFailsItsHash() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        byte[] onnx = Files.readAllBytes(pkg.resolve("model.onnx"));
        onnx[onnx.length - 1] ^= 1;
        Files.write(pkg.resolve("model.onnx"), onnx);
        assertRejected(pkg, "sha256 mismatch");
    }

    @Test
    void truncatedOnnx() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        byte[] onnx = Files.readAllBytes(pkg.resolve("model.onnx"));
        Files.write(pkg.resolve("model.onnx"), Arrays.copyOf(onnx, onnx.length / 2));
        TestPackages.rehash(pkg, "model.onnx");
        assertRejected(pkg, "ONNX Runtime cannot load model.onnx");
    }

    @Test
    void wrongInputShape() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> {
            ((ArrayNode) root.get("input").get("shape")).set(1, 9);
            ((ObjectNode) root.get("frontEnd")).remove("features");
        });
        assertRejected(pkg, "graph input 'features' has shape [-1, 8], model.json declares [-1, 9]");
    }

    @Test
    void wrongMemberCount() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> {
            root.put("members", 5);
            ((ArrayNode) root.get("output").get("shape")).set(1, 5);
        });
        assertRejected(pkg, "graph output 'logits' has shape [-1, 3, 4], model.json declares [-1, 5, 4]");
    }

    @Test
    void outputShapeThatContradictsMembers() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> root.put("members", 2));
        assertRejected(pkg, "output.shape [-1, 3, 4] must be [-1, members, labels] = [-1, 2, 4]");
    }

    @Test
    void wrongInputName() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> ((ObjectNode) root.get("input")).put("name", "x"));
        assertRejected(pkg, "graph inputs [features] do not match model.json input 'x'");
    }

    @Test
    void missingFile() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        Files.delete(pkg.resolve("model.onnx"));
        assertRejected(pkg, "file listed in model.json is missing: model.onnx");
    }

    @Test
    void unlistedOnnx() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        Files.copy(pkg.resolve("model.onnx"), pkg.resolve("extra.onnx"));
        assertRejected(pkg, "ONNX file extra.onnx is not listed");
    }

    @Test
    void badJson() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        String json = Files.readString(pkg.resolve("model.json"));
        Files.writeString(pkg.resolve("model.json"), json.substring(0, json.length() / 2));
        assertRejected(pkg, "model.json is not valid JSON");
    }

    @Test
    void missingField() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> root.remove("labels"));
        assertRejected(pkg, "missing 'labels'");
    }

    @Test
    void unsupportedFormatVersion() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> root.put("formatVersion", 2));
        assertRejected(pkg, "formatVersion 2 is not supported");
    }

    @Test
    void badModelId() {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        TestPackages.editManifest(pkg, root -> root.put("id", "Tiny Model"));
        assertRejected(pkg, "model id must be lowercase");
    }

    @Test
    void nonFiniteLogits() {
        assertRejected(TestPackages.resource("nan"), "dry run on zeros gave a non-finite logit");
    }

    @Test
    void noManifest() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        Files.delete(pkg.resolve("model.json"));
        assertRejected(pkg, "no model.json");
    }

    @Test
    void notAZip() throws Exception {
        Path zip = tmp.resolve("broken.zip");
        Files.writeString(zip, "not a zip");
        assertRejected(zip, "not a readable zip");
    }

    /** A model.json edit and the reason it must be refused with. */
    record Absurd(String what, java.util.function.Consumer<ObjectNode> edit, String reason) {
        @Override
        public String toString() {
            return what;
        }
    }

    static List<Absurd> absurd() {
        return List.of(
                new Absurd("zero rate", r -> r.put("sampleRate", 0), "sampleRate 0"),
                new Absurd("negative rate", r -> r.put("sampleRate", -22050), "sampleRate -22050"),
                new Absurd("1e9 s window", r -> ((ObjectNode) r.get("windowing")).put("windowSeconds", 1e9),
                        "windowing.windowSeconds"),
                new Absurd("1e-9 s window", r -> ((ObjectNode) r.get("windowing")).put("windowSeconds", 1e-9),
                        "windowing.windowSeconds"),
                new Absurd("2e9 windows", r -> ((ObjectNode) r.get("windowing")).put("maxWindows", 2_000_000_000),
                        "windowing.maxWindows"),
                new Absurd("unknown combine", r -> ((ObjectNode) r.get("windowing")).put("combine", "median"),
                        "windowing.combine 'median' is unknown"),
                new Absurd("front end name", r -> ((ObjectNode) r.get("frontEnd")).put("type", "../../x\n"),
                        "frontEnd.type"),
                new Absurd("1e6 MC passes", r -> r.putObject("mcDropout").put("passes", 1_000_000),
                        "mcDropout.passes 1000000"),
                new Absurd("tiny temperature", r -> r.put("defaultTemperature", 1e-320), "defaultTemperature"),
                new Absurd("huge temperature", r -> r.put("defaultTemperature", 1e308), "defaultTemperature"),
                new Absurd("duplicate label", r -> ((ArrayNode) r.get("labels")).set(1, "Rock"), "appears twice"),
                new Absurd("newline label", r -> ((ArrayNode) r.get("labels")).set(1, "ja\nzz"), "not allowed"),
                new Absurd("NUL label", r -> ((ArrayNode) r.get("labels")).set(1, "ja\u0000zz"), "not allowed"),
                new Absurd("semicolon label", r -> ((ArrayNode) r.get("labels")).set(1, "jazz;pop"), "not allowed"),
                new Absurd("equals label", r -> ((ArrayNode) r.get("labels")).set(1, "jazz=1"), "not allowed"));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("absurd")
    void absurdManifestValuesAreRefusedAtInstall(Absurd a) {
        Path pkg = TestPackages.copy("tiny-1", tmp, "absurd");
        TestPackages.editManifest(pkg, a.edit());
        assertRejected(pkg, a.reason());
    }

    @Test
    void aZipBombIsRefusedWithoutReadingItIntoMemory() throws Exception {
        Path zip = TestPackages.bomb(TestPackages.resource("tiny-1"), tmp.resolve("bomb.zip"), 600);
        assertRejected(zip, "zip entry 'zeros.bin' claims 10 bytes but inflates to more");
        Path big = TestPackages.copy("tiny-1", tmp, "big");
        try (var out = Files.newOutputStream(big.resolve("zeros.bin"))) {
            for (int i = 0; i < 64; i++) {
                out.write(new byte[1 << 20]);
            }
        }
        assertRejected(TestPackages.zip(big, tmp.resolve("big.zip"), null), "inflates more than");
    }

    @Test
    void aZipWithTooManyEntriesIsRefused() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "many");
        for (int i = 0; i < PackageFiles.MAX_ENTRIES; i++) {
            Files.writeString(pkg.resolve("note-" + i + ".txt"), "x");
        }
        assertRejected(TestPackages.zip(pkg, tmp.resolve("many.zip"), null), "entries (at most");
    }

    @Test
    void symlinkedPackageFilesAreRefusedAndNotQuoted() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "linked");
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "hunter2:x:0:0");
        Files.delete(pkg.resolve("model.json"));
        Files.createSymbolicLink(pkg.resolve("model.json"), secret);
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> OnnxEnsembleModel.open(pkg, OPTIONS));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
        Path pkg2 = TestPackages.copy("tiny-1", tmp, "linked-graph");
        Path graph = Files.move(pkg2.resolve("model.onnx"), tmp.resolve("elsewhere.onnx"));
        Files.createSymbolicLink(pkg2.resolve("model.onnx"), graph);
        assertRejected(pkg2, "symbolic link");
    }

    private static void assertRejected(Path pkg, String expected) {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> OnnxEnsembleModel.open(pkg, OPTIONS));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
        assertTrue(e.getMessage().startsWith(pkg.toString()), () -> "message does not name the package: " + e.getMessage());
        assertEquals(pkg, e.file().orElseThrow());
    }
}
