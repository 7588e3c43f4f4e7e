package dev.tempered.library.internal;

import dev.tempered.api.audio.DecodedAudio;
import dev.tempered.api.library.LabelSource;
import dev.tempered.api.library.LibraryEntry;
import dev.tempered.api.library.TagJobListener;
import dev.tempered.api.library.TagJobProgress;
import dev.tempered.api.library.TagJobRequest;
import dev.tempered.api.tag.TagPolicy;
import java.nio.file.Path;
import java.util.List;

/** Runs a slow tag job in a child JVM that {@link CrashSafetyTest} kills mid-run. Args: library, index dir. */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Fakes.Model model = new Fakes.Model(Fakes.SPEC);
        CollectionTaggerComponent t = new CollectionTaggerComponent(new Fakes.Repository(model), new Fakes.Loader(),
                new Fakes.Calib(), Path.of(args[1]));
        t.addFrontEnd(new Fakes.Front() {
            @Override
            public float[][] compute(DecodedAudio audio) {
                try {
                    Thread.sleep(60);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.compute(audio);
            }
        });
        t.setWriter(new Fakes.Writer());
        t.tag(new TagJobRequest(List.of(Path.of(args[0])), null, false, TagPolicy.defaults(), 2, null,
                LabelSource.NONE, null, false), new TagJobListener() {
                    @Override
                    public void progress(TagJobProgress p) {
                    }

                    @Override
                    public void fileDone(LibraryEntry e) {
                        System.out.println("DONE " + e.file());
                        System.out.flush();
                    }

                    @Override
                    public boolean isCancelled() {
                        return false;
                    }
                });
        System.out.println("FINISHED");
    }
}
