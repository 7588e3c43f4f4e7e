package dev.tempered.api.library;

import org.osgi.annotation.versioning.ConsumerType;

/** Implemented by the caller of a collection job: receives progress and says whether to stop. Thread-safe. */
@ConsumerType
public interface TagJobListener {
    /** Called about every half second and at each phase change. Must return quickly. */
    void progress(TagJobProgress progress);

    /** Called once per file the job finished with, in completion order. */
    default void fileDone(LibraryEntry entry) {
    }

    /**
     * Whether to stop: the job then starts no new file; files in flight finish (their tags are written whole or
     * not at all), the index is left consistent and the reports cover what was done.
     */
    boolean isCancelled();

    /** A listener that ignores progress and never cancels. */
    TagJobListener NONE = new TagJobListener() {
        @Override
        public void progress(TagJobProgress progress) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };
}
