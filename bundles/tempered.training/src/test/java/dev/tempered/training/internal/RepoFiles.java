package dev.tempered.training.internal;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files committed to this repository (models/), found by walking up from the module folder. */
final class RepoFiles {
    private RepoFiles() {
    }

    static Path path(String first, String... more) {
        Path start = Path.of("").toAbsolutePath();
        for (Path d = start; d != null; d = d.getParent()) {
            Path p = d.resolve(Path.of(first, more));
            if (Files.exists(p) && Files.isDirectory(d.resolve("models"))) {
                return p;
            }
        }
        return fail("no " + Path.of(first, more) + " in " + start + " or a parent: it is committed to the repository");
    }
}
