package dev.tempered.inference.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the model repository (PID {@code dev.tempered.inference}); every change applies without restart,
 * on the repository's own worker thread (never ConfigAdmin's: opening a session may take long).
 */
@ObjectClassDefinition(name = "Tempered model repository",
        description = "Where model packages are found, which one is active per task, and how ONNX Runtime runs them.")
public @interface RepositoryConfiguration {
    @AttributeDefinition(name = "Active model", description = "Per task: 'id' for the highest installed version of"
            + " that model, or 'id@version' to pin one; the first installed of the list wins. When none is"
            + " installed: the first installed package of each task, following newer versions of it as they arrive."
            + " Default: choi-gtzan, the convnet ensemble shipped with the application.")
    String[] activeModel() default {"choi-gtzan"};

    @AttributeDefinition(name = "Model folders", description = "Folders watched for packages (sub-folders holding"
            + " model.json, or .zip files). Empty: <TEMPERED_HOME>/deploy/models and the folder named by the framework"
            + " property tempered.models.dir (the application's shipped models).")
    String[] modelDirs() default {};

    @AttributeDefinition(name = "Poll interval (ms)", description = "How often the model folders are scanned; a"
            + " package is installed once it looked the same on two scans.")
    long pollMillis() default 500;

    @AttributeDefinition(name = "Intra-op threads", description = "Threads per ONNX Runtime session; 0 = one per processor,"
            + " at most 256. A change re-opens the active models with it (on the repository's worker thread; the old"
            + " session serves until the new one is ready).")
    int intraOpThreads() default 0;

    @AttributeDefinition(name = "Use CUDA", description = "Try the CUDA execution provider (onnxruntime_gpu build and a"
            + " GPU needed); falls back to the CPU with a log line.")
    boolean cuda() default true;

    @AttributeDefinition(name = "Maximum batch", description = "Rows per ONNX Runtime call; longer batches are cut.")
    int maxBatch() default 1024;

    @AttributeDefinition(name = "Tile MC dropout passes", description = "Run all MC dropout passes in one call on a"
            + " tiled batch (faster for small networks) rather than one call per pass.")
    boolean mcDropoutTiled() default true;
}
