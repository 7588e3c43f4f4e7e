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

/**
 * Runs a slow tag job in a child JVM that {@link CrashSafetyTest} kills mid-run. Args: library, index dir, and
 * optionally {@code stop-hook}: then a shutdown hook cancels the job on SIGTERM and waits for it to leave every
 * file whole, as {@code tempered tag} does on Ctrl-C.
 */
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
        java.util.concurrent.atomic.AtomicBoolean cancelled = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
        if (args.length > 2 && args[2].equals("stop-hook")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                cancelled.set(true);
                try {
                    finished.await(60, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            run(t, args, cancelled);
        } finally {
            finished.countDown();
        }
        System.out.println("FINISHED");
    }

    private static void run(CollectionTaggerComponent t, String[] args,
            java.util.concurrent.atomic.AtomicBoolean cancelled) throws Exception {
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
                        return cancelled.get();
                    }
                });
    }
}
