package dev.tempered.launcher.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM into a request to stop while a job runs, instead of a JVM shutdown. A shutdown
 * would run every shutdown hook at once, among them ONNX Runtime's own, which releases its native environment
 * while the job still finishes the files in flight (a SIGSEGV in libonnxruntime.so). Here the job stops between
 * files and returns, and the JVM exits afterwards as usual. A second signal stops at once, as before.
 */
final class StopSignals implements AutoCloseable {
    private static final List<String> NAMES = List.of("INT", "TERM");

    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    private StopSignals() {
    }

    /** Handles INT and TERM until closed: the first calls {@code onStop}, the second exits with 128 + signal. */
    static StopSignals install(Runnable onStop) {
        StopSignals s = new StopSignals();
        AtomicInteger received = new AtomicInteger();
        for (String name : NAMES) {
            Signal signal = new Signal(name);
            try {
                SignalHandler old = Signal.handle(signal, sig -> {
                    if (received.incrementAndGet() == 1) {
                        onStop.run();
                    } else {
                        // The user insists: the files in flight are left untouched or whole by the atomic writer.
                        Runtime.getRuntime().halt(128 + sig.getNumber());
                    }
                });
                s.signals.add(signal);
                s.previous.add(old);
            } catch (IllegalArgumentException e) {
                // Reserved by the VM (e.g. under -Xrs): the JVM's own behaviour stays, shutdown hooks included.
            }
        }
        return s;
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
