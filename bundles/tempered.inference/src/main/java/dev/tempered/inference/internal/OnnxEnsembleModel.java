package dev.tempered.inference.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tempered.api.model.EnsembleModel;
import dev.tempered.api.model.EnsembleOutput;
import dev.tempered.api.model.InferenceException;
import dev.tempered.api.model.ModelPackageException;
import dev.tempered.api.model.ModelSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One verified package running in one ONNX Runtime session. The graph yields all members at once
 * ({@code [batch, members, classes]}); MC dropout packages are run once per pass and the passes stacked as
 * members. Reference-counted: the session closes when the last holder lets go.
 */
public final class OnnxEnsembleModel implements EnsembleModel {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEnsembleModel.class);
    private static final AtomicBoolean CUDA_REPORTED = new AtomicBoolean();
    private static final int MAX_REUSED_FLOATS = 1 << 22;
    /**
     * Input floats per ONNX Runtime call at most: a waveform model's row is 348,000 samples and its first
     * convolution holds about 17 MB per row, so whole batches of such rows would need gigabytes at once.
     */
    static final int MAX_FLOATS_PER_CALL = 1 << 22;
    private static final ThreadLocal<ByteBuffer> INPUT = new ThreadLocal<>();

    private final PackageManifest manifest;
    private final Path source;
    private final RunnerOptions options;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final int rowLength;
    private final long[] featureDims;
    private final int members;
    private final int classes;
    private final int passes;
    private final PackageManifest.Embedding embedding;
    private final byte[] headsGraph;
    /** Opened on first use: only labelled feature CSVs need it. Guarded by {@code this}. */
    private OrtSession headsSession;
    private final AtomicInteger holds = new AtomicInteger(1);

    private OnnxEnsembleModel(PackageManifest manifest, Path source, RunnerOptions options, OrtSession session,
            OrtEnvironment env, byte[] headsGraph) {
        this.headsGraph = headsGraph;
        this.manifest = manifest;
        this.source = source;
        this.options = options;
        this.session = session;
        this.env = env;
        ModelSpec spec = manifest.spec();
        this.rowLength = manifest.rowLength();
        this.featureDims = spec.inputShape().subList(1, spec.inputShape().size()).stream().mapToLong(Long::longValue)
                .toArray();
        this.members = spec.members();
        this.classes = spec.labels().size();
        this.passes = spec.mcDropoutPasses();
        this.embedding = manifest.embedding();
    }

    /**
     * Reads, verifies and opens a package: manifest, hashes, the graph's input and output against the
     * manifest, and a dry run on zeros that must give finite logits of the declared shape.
     *
     * @return a model holding one reference, owned by the caller
     */
    public static OnnxEnsembleModel open(Path pkg, RunnerOptions options) throws ModelPackageException {
        PackageFiles.Loaded loaded = PackageFiles.read(pkg);
        OrtEnvironment env = OrtRuntime.environment();
        OrtSession session;
        try (OrtSession.SessionOptions so = sessionOptions(options)) {
            session = env.createSession(loaded.graph(), so);
        } catch (OrtException e) {
            throw new ModelPackageException(pkg, "ONNX Runtime cannot load " + loaded.manifest().graphFile() + ": "
                    + e.getMessage(), e);
        }
        OnnxEnsembleModel model = new OnnxEnsembleModel(loaded.manifest(), pkg, options, session, env,
                loaded.heads());
        try {
            model.checkSignature();
            model.dryRun();
            return model;
        } catch (ModelPackageException | RuntimeException e) {
            model.release();
            throw e;
        }
    }

    private static OrtSession.SessionOptions sessionOptions(RunnerOptions options) throws OrtException {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        so.setIntraOpNumThreads(options.effectiveIntraOpThreads());
        // Members are merged into one graph, so there is nothing for a second inter-op thread to run beside.
        so.setInterOpNumThreads(1);
        if (options.cuda()) {
            if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
                if (CUDA_REPORTED.compareAndSet(false, true)) {
                    LOG.info("CUDA execution provider not in this ONNX Runtime build; running on CPU");
                }
            } else {
                try {
                    so.addCUDA(0);
                } catch (OrtException | RuntimeException e) {
                    // onnxruntime_gpu without CUDA 12 libraries or without a GPU fails here, not at run time.
                    LOG.warn("CUDA execution provider failed to start ({}); running on CPU", e.getMessage());
                }
            }
        }
        return so;
    }

    private void checkSignature() throws ModelPackageException {
        ModelSpec spec = manifest.spec();
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            if (!inputs.keySet().equals(java.util.Set.of(spec.inputName()))) {
                throw new ModelPackageException(source, "graph inputs " + inputs.keySet()
                        + " do not match model.json input '" + spec.inputName() + "'");
            }
            if (!outputs.containsKey(spec.outputName())) {
                throw new ModelPackageException(source, "graph has no output '" + spec.outputName() + "' (outputs: "
                        + outputs.keySet() + ")");
            }
            checkShape("input", inputs.get(spec.inputName()), spec.inputShape());
            checkShape("output", outputs.get(spec.outputName()), manifest.outputShape());
            if (embedding.present()) {
                if (!outputs.containsKey(embedding.name())) {
                    throw new ModelPackageException(source, "graph has no embedding output '" + embedding.name()
                            + "' (outputs: " + outputs.keySet() + ")");
                }
                checkShape("embedding", outputs.get(embedding.name()), List.of(-1L, (long) embedding.names().size()));
            }
        } catch (OrtException e) {
            throw new ModelPackageException(source, "cannot read the graph's signature: " + e.getMessage(), e);
        }
    }

    /** Fixed graph dimensions must equal the manifest's; symbolic ones (-1) are checked by the dry run. */
    private void checkShape(String what, NodeInfo node, List<Long> declared) throws ModelPackageException {
        if (!(node.getInfo() instanceof TensorInfo t) || t.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
            throw new ModelPackageException(source, "graph " + what + " '" + node.getName()
                    + "' is not a float tensor: " + node.getInfo());
        }
        long[] shape = t.getShape();
        boolean ok = shape.length == declared.size();
        for (int i = 0; ok && i < shape.length; i++) {
            long d = declared.get(i);
            ok = shape[i] < 0 ? true : d < 0 ? false : shape[i] == d;
        }
        if (!ok) {
            throw new ModelPackageException(source, "graph " + what + " '" + node.getName() + "' has shape "
                    + Arrays.toString(shape) + ", model.json declares " + declared);
        }
    }

    private void dryRun() throws ModelPackageException {
        EnsembleOutput out;
        try {
            out = run(new float[2][rowLength]);
        } catch (InferenceException e) {
            throw new ModelPackageException(source, "dry run on zeros failed: " + e.getMessage(), e);
        }
        for (float v : out.logits()) {
            if (!Float.isFinite(v)) {
                throw new ModelPackageException(source, "dry run on zeros gave a non-finite logit (" + v + ")");
            }
        }
    }

    @Override
    public ModelSpec spec() {
        return manifest.spec();
    }

    /** The manifest, with hashes and feature names. */
    public PackageManifest manifest() {
        return manifest;
    }

    /** Where the package was read from. */
    public Path source() {
        return source;
    }

    @Override
    public List<String> embeddingNames() {
        return embedding.names();
    }

    @Override
    public EnsembleOutput runEmbeddings(float[][] embeddings) throws InferenceException {
        if (headsGraph == null) {
            return EnsembleModel.super.runEmbeddings(embeddings);
        }
        if (holds.get() <= 0) {
            throw new IllegalStateException(spec().ref() + " is closed");
        }
        int width = embedding.names().size();
        int batch = embeddings.length;
        FloatBuffer buf = ByteBuffer.allocateDirect(Math.max(1, batch * width) * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < batch; i++) {
            if (embeddings[i].length != width) {
                throw new InferenceException("row " + i + " has " + embeddings[i].length + " values, the heads of "
                        + spec().ref() + " take " + width, null);
            }
            buf.put(embeddings[i]);
        }
        buf.rewind();
        int effective = spec().effectiveMembers();
        try (OnnxTensor x = OnnxTensor.createTensor(env, buf, new long[] {batch, width});
                OrtSession.Result result = heads().run(Map.of(embedding.name(), x))) {
            if (!(result.get(0) instanceof OnnxTensor y) || y.getInfo().getShape().length != 3
                    || y.getInfo().getShape()[1] != effective || y.getInfo().getShape()[2] != classes) {
                throw new InferenceException(spec().ref() + ": the heads graph's output is not [" + batch + ", "
                        + effective + ", " + classes + "]", null);
            }
            FloatBuffer fb = y.getFloatBuffer();
            float[] logits = new float[fb.remaining()];
            fb.get(logits);
            return new EnsembleOutput(spec().ref(), batch, effective, classes, logits, width,
                    flatten(embeddings, width));
        } catch (OrtException e) {
            throw new InferenceException(spec().ref() + ": ONNX Runtime failed on the heads: " + e.getMessage(), e);
        }
    }

    private synchronized OrtSession heads() throws InferenceException {
        if (headsSession == null) {
            try (OrtSession.SessionOptions so = sessionOptions(options)) {
                headsSession = env.createSession(headsGraph, so);
            } catch (OrtException e) {
                throw new InferenceException(spec().ref() + ": cannot load its heads graph " + embedding.heads() + ": "
                        + e.getMessage(), e);
            }
        }
        return headsSession;
    }

    private static float[] flatten(float[][] rows, int width) {
        float[] out = new float[rows.length * width];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, out, i * width, width);
        }
        return out;
    }

    @Override
    public EnsembleOutput run(float[][] inputs) throws InferenceException {
        if (holds.get() <= 0) {
            throw new IllegalStateException(spec().ref() + " is closed");
        }
        int batch = inputs.length;
        int effective = spec().effectiveMembers();
        float[] logits = new float[batch * effective * classes];
        int width = embedding.names().size();
        float[] embeddings = new float[batch * width];
        for (int i = 0; i < batch; i++) {
            if (inputs[i].length != rowLength) {
                throw new InferenceException("row " + i + " has " + inputs[i].length + " values, " + spec().ref()
                        + " expects " + rowLength, null);
            }
        }
        int rowsPerCall = Math.max(1, Math.min(options.maxBatch(), MAX_FLOATS_PER_CALL / rowLength));
        int chunk = passes > 0 && options.mcTiled() ? Math.max(1, rowsPerCall / passes) : rowsPerCall;
        for (int start = 0; start < batch; start += chunk) {
            int n = Math.min(chunk, batch - start);
            if (passes == 0) {
                Call y = call(inputs, start, n, 1);
                System.arraycopy(y.logits(), 0, logits, start * members * classes, y.logits().length);
                System.arraycopy(y.embeddings(), 0, embeddings, start * width, y.embeddings().length);
            } else if (options.mcTiled()) {
                Call y = call(inputs, start, n, passes);
                scatterPasses(y.logits(), 0, passes, start, n, logits);
                // Dropout acts on the heads only, so every copy carries the same embedding: keep the first.
                System.arraycopy(y.embeddings(), 0, embeddings, start * width, n * width);
            } else {
                for (int p = 0; p < passes; p++) {
                    Call y = call(inputs, start, n, 1);
                    scatterPasses(y.logits(), p, 1, start, n, logits);
                    if (p == 0) {
                        System.arraycopy(y.embeddings(), 0, embeddings, start * width, n * width);
                    }
                }
            }
        }
        return new EnsembleOutput(spec().ref(), batch, effective, classes, logits, width, embeddings);
    }

    /** Copies pass-major {@code [copies*n, members, classes]} into rows {@code [start..start+n)} of the output. */
    private void scatterPasses(float[] y, int firstPass, int copies, int start, int n, float[] logits) {
        int block = members * classes;
        int rowStride = passes * block;
        for (int c = 0; c < copies; c++) {
            for (int r = 0; r < n; r++) {
                System.arraycopy(y, (c * n + r) * block, logits, (start + r) * rowStride + (firstPass + c) * block,
                        block);
            }
        }
    }

    /** What one ONNX Runtime call returned: logits, and embeddings when the graph declares them. */
    private record Call(float[] logits, float[] embeddings) {
    }

    /** One ONNX Runtime call on rows {@code [start, start+n)}, repeated {@code copies} times along the batch. */
    private Call call(float[][] inputs, int start, int n, int copies) throws InferenceException {
        FloatBuffer buf = inputBuffer(copies * n * rowLength);
        for (int c = 0; c < copies; c++) {
            for (int r = 0; r < n; r++) {
                buf.put(inputs[start + r]);
            }
        }
        buf.rewind();
        long[] shape = new long[featureDims.length + 1];
        shape[0] = (long) copies * n;
        System.arraycopy(featureDims, 0, shape, 1, featureDims.length);
        java.util.Set<String> wanted = embedding.present() ? java.util.Set.of(spec().outputName(), embedding.name())
                : java.util.Set.of(spec().outputName());
        try (OnnxTensor x = OnnxTensor.createTensor(env, buf, shape);
                OrtSession.Result result = session.run(Map.of(spec().inputName(), x), wanted)) {
            Optional<OnnxValue> v = result.get(spec().outputName());
            if (v.isEmpty() || !(v.get() instanceof OnnxTensor y)) {
                throw new InferenceException(spec().ref() + ": no tensor output '" + spec().outputName() + "'", null);
            }
            long[] got = y.getInfo().getShape();
            if (got.length != 3 || got[0] != shape[0] || got[1] != members || got[2] != classes) {
                throw new InferenceException(spec().ref() + ": output shape " + Arrays.toString(got) + ", expected ["
                        + shape[0] + ", " + members + ", " + classes + "]", null);
            }
            FloatBuffer fb = y.getFloatBuffer();
            float[] out = new float[fb.remaining()];
            fb.get(out);
            float[] emb = new float[0];
            if (embedding.present()) {
                Optional<OnnxValue> e = result.get(embedding.name());
                if (e.isEmpty() || !(e.get() instanceof OnnxTensor et)) {
                    throw new InferenceException(spec().ref() + ": no tensor output '" + embedding.name() + "'", null);
                }
                FloatBuffer eb = et.getFloatBuffer();
                if (eb.remaining() != shape[0] * embedding.names().size()) {
                    throw new InferenceException(spec().ref() + ": embedding output shape "
                            + Arrays.toString(et.getInfo().getShape()) + ", expected [" + shape[0] + ", "
                            + embedding.names().size() + "]", null);
                }
                emb = new float[eb.remaining()];
                eb.get(emb);
            }
            return new Call(out, emb);
        } catch (OrtException e) {
            throw new InferenceException(spec().ref() + ": ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /**
     * A direct buffer for one call's input, reused per thread: ONNX Runtime wraps a direct buffer without
     * copying, and a fresh direct buffer per call would pile up native memory until the next full GC.
     */
    private static FloatBuffer inputBuffer(int floats) {
        if (floats > MAX_REUSED_FLOATS) {
            return ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        ByteBuffer b = INPUT.get();
        if (b == null || b.capacity() < floats * Float.BYTES) {
            b = ByteBuffer.allocateDirect(Math.max(floats, 4096) * Float.BYTES).order(ByteOrder.nativeOrder());
            INPUT.set(b);
        }
        b.clear();
        FloatBuffer f = b.asFloatBuffer();
        f.limit(floats);
        return f;
    }

    /** Takes one more hold; false when the model has already closed. */
    boolean retain() {
        for (;;) {
            int h = holds.get();
            if (h <= 0) {
                return false;
            }
            if (holds.compareAndSet(h, h + 1)) {
                return true;
            }
        }
    }

    /** Lets go of one hold; the last one closes the session. */
    void release() {
        int h = holds.decrementAndGet();
        if (h == 0) {
            try {
                session.close();
                synchronized (this) {
                    if (headsSession != null) {
                        headsSession.close();
                        headsSession = null;
                    }
                }
                LOG.debug("closed session of {}", spec().ref());
            } catch (OrtException e) {
                LOG.warn("closing the session of {} failed", spec().ref(), e);
            }
        } else if (h < 0) {
            throw new IllegalStateException(spec().ref() + " released more often than retained");
        }
    }

    /** Current holds, for tests and diagnostics. */
    int holds() {
        return Math.max(0, holds.get());
    }

    @Override
    public String toString() {
        return spec().ref() + " from " + source;
    }
}
