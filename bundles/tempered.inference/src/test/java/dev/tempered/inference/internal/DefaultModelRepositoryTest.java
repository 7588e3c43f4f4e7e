package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tempered.api.ModelRef;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelLease;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installing, choosing the active model, leases across swaps. */
class DefaultModelRepositoryTest {
    private static final ModelRef TINY1 = new ModelRef("tiny", "1.0.0");
    private static final ModelRef TINY2 = new ModelRef("tiny", "2.0.0");
    private static final ModelRef OTHER = new ModelRef("other", "0.1");

    @TempDir
    Path tmp;
    private final AtomicInteger changes = new AtomicInteger();
    private final DefaultModelRepository repo = new DefaultModelRepository(new RunnerOptions(1, false, 1024, true),
            r -> changes.incrementAndGet());

    @AfterEach
    void close() {
        repo.close();
    }

    @Test
    void firstInstalledBecomesActiveAndNewerVersionsOfItTakeOver() throws Exception {
        assertThrows(InferenceException.class, () -> repo.lease("genre"));
        repo.install(TestPackages.resource("other"));
        repo.install(TestPackages.resource("tiny-1"));
        assertEquals(OTHER, repo.active("genre").orElseThrow().ref());
        repo.activate("tiny", null);
        assertEquals(TINY1, repo.active("genre").orElseThrow().ref());
        repo.install(TestPackages.resource("tiny-2"));
        assertEquals(TINY2, repo.active("genre").orElseThrow().ref());
        assertEquals(List.of(OTHER, TINY1, TINY2), repo.installed().stream().map(ModelSpec::ref).toList());
        assertEquals(4, changes.get());
    }

    @Test
    void configurationPinsAVersionAndOverridesActivation() throws Exception {
        repo.install(TestPackages.resource("tiny-1"));
        repo.install(TestPackages.resource("tiny-2"));
        repo.install(TestPackages.resource("other"));
        repo.configure(List.of("tiny@1.0.0"));
        assertEquals(TINY1, repo.active("genre").orElseThrow().ref());
        repo.activate("other", null);
        assertEquals(OTHER, repo.active("genre").orElseThrow().ref());
        repo.configure(List.of("tiny"));
        assertEquals(TINY2, repo.active("genre").orElseThrow().ref());
        assertThrows(InferenceException.class, () -> repo.activate("tiny", "9.9"));
        assertEquals(TINY2, repo.active("genre").orElseThrow().ref());
    }

    @Test
    void leaseKeepsItsModelAcrossASwapAndTheOldSessionClosesWhenItDrains() throws Exception {
        repo.install(TestPackages.resource("tiny-1"));
        float[][] x = TestPackages.rows(2, 8, 5);
        ModelLease first = repo.lease("genre");
        OnnxEnsembleModel old = (OnnxEnsembleModel) first.model();
        float[] before = old.run(x).logits();
        repo.install(TestPackages.resource("tiny-2"));
        assertEquals(TINY2, repo.active("genre").orElseThrow().ref());
        // The swap released the repository's hold; this lease is the last one and the session still runs.
        assertEquals(1, old.holds());
        EnsembleOutput stillOld = first.model().run(x);
        assertEquals(TINY1, stillOld.model());
        assertArrayEquals(before, stillOld.logits());
        try (ModelLease second = repo.lease("genre")) {
            EnsembleOutput fresh = second.model().run(x);
            assertEquals(TINY2, fresh.model());
            assertFalse(java.util.Arrays.equals(before, fresh.logits()));
        }
        first.close();
        first.close();
        assertEquals(0, old.holds());
        assertThrows(IllegalStateException.class, () -> old.run(x));
        assertThrows(IllegalStateException.class, first::model);
    }

    @Test
    void leaseOfAnInactiveVersionGetsItsOwnSession() throws Exception {
        repo.install(TestPackages.resource("tiny-1"));
        repo.install(TestPackages.resource("tiny-2"));
        try (ModelLease l = repo.lease("tiny", "1.0.0")) {
            assertEquals(TINY1, l.model().run(new float[1][8]).model());
        }
        try (ModelLease l = repo.lease("tiny", null)) {
            assertSame(l.model().spec(), repo.active("genre").orElseThrow());
        }
        assertThrows(InferenceException.class, () -> repo.lease("nope", null));
    }

    @Test
    void uninstallingTheActiveModelFallsBackToTheNextCandidate() throws Exception {
        repo.install(TestPackages.resource("tiny-1"));
        repo.install(TestPackages.resource("other"));
        assertTrue(repo.uninstall(TINY1));
        assertFalse(repo.uninstall(TINY1));
        assertEquals(OTHER, repo.active("genre").orElseThrow().ref());
        assertTrue(repo.uninstall(OTHER));
        assertTrue(repo.active("genre").isEmpty());
        assertThrows(InferenceException.class, () -> repo.lease("genre"));
    }

    @Test
    void corruptPackageWhileServingIsRejectedAndServingContinues() throws Exception {
        repo.install(TestPackages.resource("tiny-1"));
        Path bad = TestPackages.copy("tiny-2", tmp, "bad");
        byte[] onnx = Files.readAllBytes(bad.resolve("model.onnx"));
        Files.write(bad.resolve("model.onnx"), java.util.Arrays.copyOf(onnx, 100));
        int before = changes.get();
        assertThrows(ModelPackageException.class, () -> repo.install(bad));
        assertEquals(before, changes.get());
        assertEquals(List.of(TINY1), repo.installed().stream().map(ModelSpec::ref).toList());
        try (ModelLease l = repo.lease("genre")) {
            assertEquals(TINY1, l.model().run(new float[1][8]).model());
        }
    }

    @Test
    void sameModelFromAnotherPlaceIsRefused() throws Exception {
        repo.install(TestPackages.resource("tiny-1"));
        Path copy = TestPackages.copy("tiny-1", tmp, "copy");
        ModelPackageException e = assertThrows(ModelPackageException.class, () -> repo.install(copy));
        assertTrue(e.getMessage().contains("tiny@1.0.0 is already installed from"), e.getMessage());
    }

    @Test
    void reinstallingTheActivePackageSwapsToTheNewSession() throws Exception {
        Path pkg = TestPackages.copy("tiny-1", tmp, "p");
        repo.install(pkg);
        ModelLease l = repo.lease("genre");
        repo.install(pkg);
        try (ModelLease l2 = repo.lease("genre")) {
            assertFalse(l.model() == l2.model());
        }
        l.close();
    }
}
