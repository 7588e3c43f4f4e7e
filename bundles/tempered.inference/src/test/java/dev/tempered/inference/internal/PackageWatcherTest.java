package dev.tempered.inference.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watcher reports a package only once it is stable, again when it changes, and when it goes. */
class PackageWatcherTest {
    @TempDir
    Path dir;

    private final List<String> events = new CopyOnWriteArrayList<>();

    private PackageWatcher watcher() {
        // An hour between timed scans: the test drives the scans itself.
        return new PackageWatcher(List.of(dir), 3_600_000, new PackageWatcher.Handler() {
            @Override
            public void arrived(Path pkg) {
                events.add("arrived " + pkg.getFileName());
            }

            @Override
            public void vanished(Path pkg) {
                events.add("vanished " + pkg.getFileName());
            }
        });
    }

    @Test
    void packagesPresentAtStartArriveAtOnce() {
        TestPackages.copy("tiny-1", dir, "a");
        try (PackageWatcher w = watcher()) {
            assertEquals(List.of("arrived a"), events);
            w.scan(false);
            assertEquals(List.of("arrived a"), events);
        }
    }

    @Test
    void aPackageArrivesAfterTwoIdenticalScansAndAgainWhenItChanges() throws Exception {
        try (PackageWatcher w = watcher()) {
            Path p = TestPackages.copy("tiny-1", dir, "a");
            w.scan(false);
            assertEquals(List.of(), events, "seen once: maybe still being copied");
            w.scan(false);
            assertEquals(List.of("arrived a"), events);

            Files.writeString(p.resolve("model.json"), "\n", StandardOpenOption.APPEND);
            w.scan(false);
            assertEquals(1, events.size());
            Files.writeString(p.resolve("model.json"), "\n", StandardOpenOption.APPEND);
            w.scan(false);
            assertEquals(1, events.size(), "still changing");
            w.scan(false);
            assertEquals(List.of("arrived a", "arrived a"), events);

            TestPackages.zip(p, dir.resolve("b.zip"), null);
            ModelRepositoryComponentTest.deleteTree(p);
            w.scan(false);
            w.scan(false);
            assertEquals(List.of("arrived a", "arrived a", "vanished a", "arrived b.zip"), events);
        }
    }

    @Test
    void stagingNamesAndNonPackagesAreIgnored() throws Exception {
        try (PackageWatcher w = watcher()) {
            TestPackages.copy("tiny-1", dir, ".hidden");
            TestPackages.copy("tiny-1", dir, "copying.tmp");
            TestPackages.copy("tiny-1", dir, "copying.part");
            Files.createDirectories(dir.resolve("empty"));
            Files.writeString(dir.resolve("notes.txt"), "x");
            w.scan(false);
            w.scan(false);
            assertEquals(List.of(), events);
            Files.move(dir.resolve("copying.tmp"), dir.resolve("renamed"));
            w.scan(false);
            w.scan(false);
            assertEquals(List.of("arrived renamed"), events);
        }
    }
}
