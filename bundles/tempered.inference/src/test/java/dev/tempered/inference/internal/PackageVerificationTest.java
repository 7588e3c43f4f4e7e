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

    private static void assertRejected(Path pkg, String expected) {
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> OnnxEnsembleModel.open(pkg, OPTIONS));
        assertTrue(e.getMessage().contains(expected), () -> "message '" + e.getMessage() + "' lacks '" + expected + "'");
        assertTrue(e.getMessage().startsWith(pkg.toString()), () -> "message does not name the package: " + e.getMessage());
        assertEquals(pkg, e.file().orElseThrow());
    }
}
