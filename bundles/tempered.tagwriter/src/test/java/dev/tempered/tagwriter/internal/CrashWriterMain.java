package dev.tempered.tagwriter.internal;

import dev.tempered.api.tag.TagException;
import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The writer process of {@link CrashTest}: tags every audio file in a directory once, announcing on stdout when
 * it starts writing ("go") and when it is done ("done"), and is SIGKILLed somewhere in between.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        TagWriterImpl w = new TagWriterImpl(Path.of(args[1]), true, SafeReplace.NONE);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> !p.getFileName().toString().startsWith(".")
                    && !p.getFileName().toString().startsWith("_")).sorted().toList();
        }
        // Load and warm the classes first, so the kill lands in writes rather than in class loading.
        w.plan(files.get(0), Fixtures.prediction(0.9), TagPolicy.defaults());
        System.out.println("go");
        System.out.flush();
        for (Path f : files) {
            try {
                w.apply(w.plan(f, Fixtures.prediction(0.9), TagPolicy.defaults()));
            } catch (TagException e) {
                System.out.println("error " + e.getMessage());
            }
        }
        System.out.println("done");
        System.out.flush();
    }
}
