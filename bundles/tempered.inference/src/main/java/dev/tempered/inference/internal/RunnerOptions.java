package dev.tempered.inference.internal;

/**
 * How ONNX Runtime sessions are created and batches are cut.
 *
 * @param intraOpThreads threads one session uses inside an operator; 0 means one per available processor
 * @param cuda           try the CUDA execution provider first (only the onnxruntime_gpu build has it)
 * @param maxBatch       rows per ONNX Runtime call; longer inputs are cut into chunks of this size
 * @param mcTiled        under MC dropout, tile the batch once per pass into one call (true) or call once per
 *                       pass (false)
 */
public record RunnerOptions(int intraOpThreads, boolean cuda, int maxBatch, boolean mcTiled) {
    public RunnerOptions {
        if (intraOpThreads < 0 || maxBatch < 1) {
            throw new IllegalArgumentException("intraOpThreads must be >= 0 and maxBatch >= 1");
        }
    }

    /** One thread per processor, CPU unless CUDA works, 1024 rows per call, tiled MC passes. */
    public static RunnerOptions defaults() {
        return new RunnerOptions(0, true, 1024, true);
    }

    int effectiveIntraOpThreads() {
        return intraOpThreads > 0 ? intraOpThreads : Runtime.getRuntime().availableProcessors();
    }
}
