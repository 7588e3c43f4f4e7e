package dev.tempered.inference.internal;

import ai.onnxruntime.OrtEnvironment;
import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into ONNX Runtime's environment: switches off the runtime's built-in telemetry before the
 * environment exists.
 *
 * <p>Why: the Linux build of ONNX Runtime 1.29 carries Microsoft's 1DS telemetry client ("MATSDK",
 * {@code PosixTelemetry}). Creating the environment starts it, and it then reads {@code /proc/self/cmdline}
 * and matches it with a libstdc++ {@code std::regex}, whose executor recurses once per character: a command
 * line of about 4 KB overflows a Java thread's stack and the process dies with SIGSEGV (exit 139) before any
 * Java code can report anything. The client also writes {@code $TMPDIR/mat-debug-<pid>.log} and
 * {@code $TMPDIR/.ses} under predictable names (following planted symlinks) and would post device data to
 * {@code mobile.events.data.microsoft.com}, which an offline tagging tool has no business doing. The runtime
 * reads {@code ORT_DISABLE_TELEMETRY} from the process environment when the environment is created, so it is
 * set here through libc (Java cannot change its own environment) before the first
 * {@link OrtEnvironment#getEnvironment()} call. {@code OrtEnvironment.disableTelemetryEvents()} comes too late:
 * the client has already started by then.
 */
public final class OrtRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);
    static final String DISABLE_TELEMETRY = "ORT_DISABLE_TELEMETRY";
    /** ONNX Runtime's own setting (OnnxRuntime.ONNXRUNTIME_NATIVE_PATH): a folder holding its libraries. */
    static final String NATIVE_PATH = "onnxruntime.native.path";
    private static volatile OrtEnvironment environment;
    private static volatile java.nio.file.Path home;

    private OrtRuntime() {
    }

    /** ONNX Runtime's process-wide environment, created on first use with its telemetry switched off. */
    public static OrtEnvironment environment() {
        OrtEnvironment env = environment;
        if (env == null) {
            synchronized (OrtRuntime.class) {
                env = environment;
                if (env == null) {
                    disableTelemetry();
                    privateNatives();
                    env = OrtEnvironment.getEnvironment();
                    environment = env;
                }
            }
        }
        return env;
    }

    /** The Tempered home whose cache holds the native library; set before the first environment. */
    static void useHome(java.nio.file.Path temperedHome) {
        home = temperedHome;
    }

    /**
     * ONNX Runtime's loader otherwise extracts its 28 MB library on every start into a fresh
     * {@code onnxruntime-java*} folder of the shared temp folder, removed only at a clean exit (a killed run
     * leaves it behind). Given {@code onnxruntime.native.path} it loads from that folder instead: the libraries
     * are copied once into the home's cache, in a folder created 0700 that belongs to us, each through a temp
     * file and an atomic move (a concurrent run sees the old file or the new one, never half of one).
     */
    private static void privateNatives() {
        if (System.getProperty(NATIVE_PATH) != null) {
            return;
        }
        java.nio.file.Path h = home != null ? home : dev.tempered.api.TemperedHome.resolve(
                System.getProperty(dev.tempered.api.TemperedHome.PROPERTY));
        try {
            java.nio.file.Path dir = OrtNatives.extract(OrtEnvironment.class, h.resolve("cache"));
            if (dir != null) {
                System.setProperty(NATIVE_PATH, dir.toString());
            }
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warn("cannot prepare ONNX Runtime's native library under {} ({}): it extracts to the temp folder",
                    h.resolve("cache"), e.toString());
        }
    }

    private static void disableTelemetry() {
        if (System.getenv(DISABLE_TELEMETRY) != null) {
            return;
        }
        try {
            // overwrite = 0: a value the user set deliberately stays. setenv is called once, before ONNX Runtime
            // starts any thread of its own, which keeps it clear of concurrent getenv calls there.
            int rc = LibC.INSTANCE.setenv(DISABLE_TELEMETRY, "1", 0);
            if (rc != 0) {
                LOG.warn("setenv({}) failed ({}): ONNX Runtime's telemetry stays on; long command lines may crash it",
                        DISABLE_TELEMETRY, Native.getLastError());
            }
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            LOG.warn("cannot set {} through libc ({}): ONNX Runtime's telemetry stays on; set it in the environment",
                    DISABLE_TELEMETRY, e.toString());
        }
    }

    /** The one libc call needed here. */
    interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }
}
