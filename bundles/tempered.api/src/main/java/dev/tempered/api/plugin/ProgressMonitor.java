package dev.tempered.api.plugin;

import org.osgi.annotation.versioning.ConsumerType;

/** Implemented by the host: receives progress and says whether the user cancelled. Thread-safe. */
@ConsumerType
public interface ProgressMonitor {
    /** Reports that {@code done} of {@code total} items are finished; {@code message} names the current one. */
    void progress(int done, int total, String message);

    /** Whether the user asked to stop; actions check it between files and stop cleanly. */
    boolean isCancelled();

    /** A monitor that reports nothing and never cancels. */
    ProgressMonitor NONE = new ProgressMonitor() {
        @Override
        public void progress(int done, int total, String message) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }
    };
}
