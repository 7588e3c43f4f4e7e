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
    private static volatile OrtEnvironment environment;

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
                    env = OrtEnvironment.getEnvironment();
                    environment = env;
                }
            }
        }
        return env;
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
