package dev.tempered.training.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.google.protobuf.UnknownFieldSet.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the trained package's graphs in ONNX's protobuf wire format: the backbone's graph with its own heads cut
 * away and the trained heads appended (one graph, so the backbone runs once per window and the heads cost what one
 * does), and a heads-only graph on the embedding. protobuf-java's {@link UnknownFieldSet} reads and writes any
 * message without generated classes; only the handful of ONNX field numbers below (from onnx.proto, IR version 8)
 * are needed. Serialisation is deterministic: the same heads give the same bytes.
 */
final class OnnxGraphs {
    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER = 2;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET = 8;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int GRAPH_VALUE_INFO = 13;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP = 4;
    private static final int NODE_ATTRIBUTE = 5;
    // AttributeProto
    private static final int ATTR_NAME = 1;
    private static final int ATTR_I = 3;
    private static final int ATTR_TYPE = 20;
    private static final int ATTR_TYPE_INT = 2;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW = 9;
    private static final int FLOAT = 1;
    private static final int INT64 = 7;
    // ValueInfoProto / TypeProto / TensorShapeProto
    private static final int VALUE_NAME = 1;
    private static final int VALUE_TYPE = 2;
    private static final int TYPE_TENSOR = 1;
    private static final int TENSOR_ELEM = 1;
    private static final int TENSOR_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    private OnnxGraphs() {
    }

    /**
     * The trained heads and the standardisation they share.
     *
     * @param members the deep ensemble's heads; for MC dropout, the one head
     * @param passes  0 for an ensemble; for MC dropout the passes per window, each a fresh dropout mask in the graph
     * @param dropout the MC-dropout rate
     */
    record Heads(float[] mean, float[] std, List<Mlp> members, int passes, double dropout) {
        Heads(float[] mean, float[] std, List<Mlp> members) {
            this(mean, std, members, 0, 0);
        }

        /** Member distributions per window: heads, or MC passes. */
        int outputs() {
            return passes > 0 ? passes : members.size();
        }
    }

    /**
     * The backbone graph with every node that only served its old {@code logits} output removed (and the
     * initialisers only they used), and the trained heads reading {@code embedding} in their place.
     *
     * @param backbone the backbone package's model.onnx
     */
    static byte[] combined(byte[] backbone, String embedding, String logits, Heads heads)
            throws InvalidProtocolBufferException {
        UnknownFieldSet model = UnknownFieldSet.parseFrom(backbone);
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(only(model, MODEL_GRAPH));
        List<ByteString> outputs = graph.getField(GRAPH_OUTPUT).getLengthDelimitedList();
        Set<String> needed = new HashSet<>();
        List<ByteString> keptOutputs = new ArrayList<>();
        for (ByteString o : outputs) {
            String name = string(UnknownFieldSet.parseFrom(o), VALUE_NAME);
            if (!name.equals(logits)) {
                needed.add(name);
                keptOutputs.add(o);
            }
        }
        if (!needed.contains(embedding)) {
            throw new IllegalArgumentException("the backbone graph has no output '" + embedding + "'");
        }
        // Walk back from the outputs that stay: a node stays when one of its outputs is needed.
        List<ByteString> nodes = graph.getField(GRAPH_NODE).getLengthDelimitedList();
        boolean[] keep = new boolean[nodes.size()];
        List<List<String>> ins = new ArrayList<>();
        List<List<String>> outs = new ArrayList<>();
        for (ByteString n : nodes) {
            UnknownFieldSet node = UnknownFieldSet.parseFrom(n);
            ins.add(strings(node, NODE_INPUT));
            outs.add(strings(node, NODE_OUTPUT));
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            for (String o : outs.get(i)) {
                if (needed.contains(o)) {
                    keep[i] = true;
                    break;
                }
            }
            if (keep[i]) {
                needed.addAll(ins.get(i));
            }
        }
        GraphBuilder b = new GraphBuilder();
        for (int i = 0; i < nodes.size(); i++) {
            if (keep[i]) {
                b.nodes.add(nodes.get(i));
            }
        }
        for (ByteString t : graph.getField(GRAPH_INITIALIZER).getLengthDelimitedList()) {
            if (needed.contains(string(UnknownFieldSet.parseFrom(t), TENSOR_NAME))) {
                b.initializers.add(t);
            }
        }
        b.appendHeads(embedding, logits, heads);
        UnknownFieldSet.Builder g = UnknownFieldSet.newBuilder().mergeFrom(graph);
        g.clearField(GRAPH_NODE).addField(GRAPH_NODE, delimited(b.nodes));
        g.clearField(GRAPH_INITIALIZER).addField(GRAPH_INITIALIZER, delimited(b.initializers));
        List<ByteString> inputs = new ArrayList<>();
        for (ByteString in : graph.getField(GRAPH_INPUT).getLengthDelimitedList()) {
            // Old exporters list initialisers as inputs too; those of the removed heads go with them.
            String name = string(UnknownFieldSet.parseFrom(in), VALUE_NAME);
            if (needed.contains(name) || !isInitializer(graph, name)) {
                inputs.add(in);
            }
        }
        g.clearField(GRAPH_INPUT).addField(GRAPH_INPUT, delimited(inputs));
        keptOutputs.add(0, valueInfo(logits, heads.outputs(), heads.members().get(0).out));
        g.clearField(GRAPH_OUTPUT).addField(GRAPH_OUTPUT, delimited(keptOutputs));
        List<ByteString> infos = new ArrayList<>();
        for (ByteString v : graph.getField(GRAPH_VALUE_INFO).getLengthDelimitedList()) {
            if (needed.contains(string(UnknownFieldSet.parseFrom(v), VALUE_NAME))) {
                infos.add(v);
            }
        }
        g.clearField(GRAPH_VALUE_INFO);
        if (!infos.isEmpty()) {
            g.addField(GRAPH_VALUE_INFO, delimited(infos));
        }
        UnknownFieldSet.Builder m = UnknownFieldSet.newBuilder().mergeFrom(model);
        m.clearField(MODEL_GRAPH).addField(MODEL_GRAPH, delimited(List.of(g.build().toByteString())));
        m.clearField(MODEL_PRODUCER).addField(MODEL_PRODUCER, delimited(List.of(ByteString.copyFromUtf8("tempered train"))));
        return m.build().toByteArray();
    }

    /** A graph of the heads alone: {@code embedding [N, dims] -> logits [N, members, classes]}. */
    static byte[] headsOnly(String embedding, String logits, Heads heads) {
        GraphBuilder b = new GraphBuilder();
        b.appendHeads(embedding, logits, heads);
        Mlp first = heads.members().get(0);
        UnknownFieldSet.Builder g = UnknownFieldSet.newBuilder();
        g.addField(GRAPH_NODE, delimited(b.nodes));
        g.addField(GRAPH_NAME, delimited(List.of(ByteString.copyFromUtf8("heads"))));
        g.addField(GRAPH_INITIALIZER, delimited(b.initializers));
        g.addField(GRAPH_INPUT, delimited(List.of(valueInfo(embedding, -1, first.in))));
        g.addField(GRAPH_OUTPUT, delimited(List.of(valueInfo(logits, heads.outputs(), first.out))));
        UnknownFieldSet.Builder m = UnknownFieldSet.newBuilder();
        m.addField(MODEL_IR_VERSION, Field.newBuilder().addVarint(8).build());
        m.addField(MODEL_PRODUCER, delimited(List.of(ByteString.copyFromUtf8("tempered train"))));
        m.addField(MODEL_GRAPH, delimited(List.of(g.build().toByteString())));
        UnknownFieldSet.Builder opset = UnknownFieldSet.newBuilder();
        opset.addField(2, Field.newBuilder().addVarint(17).build());
        m.addField(MODEL_OPSET, delimited(List.of(opset.build().toByteString())));
        return m.build().toByteArray();
    }

    /** Nodes and initialisers of the heads, named under {@code train/} so they never clash with the backbone's. */
    private static final class GraphBuilder {
        final List<ByteString> nodes = new ArrayList<>();
        final List<ByteString> initializers = new ArrayList<>();

        void appendHeads(String embedding, String logits, Heads heads) {
            Mlp first = heads.members().get(0);
            initializers.add(floats("train.standardize.mean", new long[] {first.in}, heads.mean()));
            initializers.add(floats("train.standardize.std", new long[] {first.in}, heads.std()));
            initializers.add(longs("train.axis1", new long[] {1}, new long[] {1}));
            nodes.add(node("train/standardize/Sub", "Sub", List.of(embedding, "train.standardize.mean"),
                    "train/standardize/centred", Map.of()));
            nodes.add(node("train/standardize/Div", "Div", List.of("train/standardize/centred",
                    "train.standardize.std"), "train/standardize/out", Map.of()));
            List<String> stacked = new ArrayList<>();
            if (heads.passes() > 0) {
                appendMcDropout(logits, heads);
                return;
            }
            for (int m = 0; m < heads.members().size(); m++) {
                Mlp h = heads.members().get(m);
                String p = "train.heads." + m;
                initializers.add(floats(p + ".fc1.weight", new long[] {h.hidden, h.in}, flatten(h.w1)));
                initializers.add(floats(p + ".fc1.bias", new long[] {h.hidden}, toFloat(h.b1)));
                initializers.add(floats(p + ".fc2.weight", new long[] {h.out, h.hidden}, flatten(h.w2)));
                initializers.add(floats(p + ".fc2.bias", new long[] {h.out}, toFloat(h.b2)));
                String n = "train/heads." + m;
                nodes.add(node(n + "/fc1", "Gemm", List.of("train/standardize/out", p + ".fc1.weight",
                        p + ".fc1.bias"), n + "/fc1_out", Map.of("transB", 1L)));
                nodes.add(node(n + "/relu", "Relu", List.of(n + "/fc1_out"), n + "/relu_out", Map.of()));
                nodes.add(node(n + "/fc2", "Gemm", List.of(n + "/relu_out", p + ".fc2.weight", p + ".fc2.bias"),
                        n + "/fc2_out", Map.of("transB", 1L)));
                nodes.add(node(n + "/unsqueeze", "Unsqueeze", List.of(n + "/fc2_out", "train.axis1"),
                        n + "/member", Map.of()));
                stacked.add(n + "/member");
            }
            nodes.add(node("train/concat", "Concat", stacked, logits, Map.of("axis", 1L)));
        }

        /**
         * One head, its hidden layer computed once, then per pass a fresh inverted-dropout mask (RandomUniformLike,
         * unseeded, so every run draws new masks) before the output layer. Written with explicit mask ops rather
         * than a Dropout node, which graph optimisers remove at inference: the same construction as choi-gtzan-mcd.
         */
        private void appendMcDropout(String logits, Heads heads) {
            Mlp h = heads.members().get(0);
            String p = "train.heads.0";
            initializers.add(floats(p + ".fc1.weight", new long[] {h.hidden, h.in}, flatten(h.w1)));
            initializers.add(floats(p + ".fc1.bias", new long[] {h.hidden}, toFloat(h.b1)));
            initializers.add(floats(p + ".fc2.weight", new long[] {h.out, h.hidden}, flatten(h.w2)));
            initializers.add(floats(p + ".fc2.bias", new long[] {h.out}, toFloat(h.b2)));
            initializers.add(floats("train.dropout.rate", new long[0], new float[] {(float) heads.dropout()}));
            initializers.add(floats("train.dropout.scale", new long[0], new float[] {(float) (1 / (1 - heads.dropout()))}));
            String n = "train/heads.0";
            nodes.add(node(n + "/fc1", "Gemm", List.of("train/standardize/out", p + ".fc1.weight", p + ".fc1.bias"),
                    n + "/fc1_out", Map.of("transB", 1L)));
            nodes.add(node(n + "/relu", "Relu", List.of(n + "/fc1_out"), n + "/relu_out", Map.of()));
            List<String> stacked = new ArrayList<>();
            for (int k = 0; k < heads.passes(); k++) {
                String q = n + "/pass." + k;
                nodes.add(node(q + "/uniform", "RandomUniformLike", List.of(n + "/relu_out"), q + "/u",
                        Map.of("dtype", (long) FLOAT)));
                nodes.add(node(q + "/keep", "GreaterOrEqual", List.of(q + "/u", "train.dropout.rate"), q + "/keep",
                        Map.of()));
                nodes.add(node(q + "/mask", "Cast", List.of(q + "/keep"), q + "/mask", Map.of("to", (long) FLOAT)));
                nodes.add(node(q + "/drop", "Mul", List.of(n + "/relu_out", q + "/mask"), q + "/dropped", Map.of()));
                nodes.add(node(q + "/scale", "Mul", List.of(q + "/dropped", "train.dropout.scale"), q + "/scaled",
                        Map.of()));
                nodes.add(node(q + "/fc2", "Gemm", List.of(q + "/scaled", p + ".fc2.weight", p + ".fc2.bias"),
                        q + "/fc2_out", Map.of("transB", 1L)));
                nodes.add(node(q + "/unsqueeze", "Unsqueeze", List.of(q + "/fc2_out", "train.axis1"), q + "/member",
                        Map.of()));
                stacked.add(q + "/member");
            }
            nodes.add(node("train/concat", "Concat", stacked, logits, Map.of("axis", 1L)));
        }
    }

    private static ByteString node(String name, String op, List<String> inputs, String output,
            Map<String, Long> intAttributes) {
        UnknownFieldSet.Builder n = UnknownFieldSet.newBuilder();
        n.addField(NODE_INPUT, delimited(inputs.stream().map(ByteString::copyFromUtf8).toList()));
        n.addField(NODE_OUTPUT, delimited(List.of(ByteString.copyFromUtf8(output))));
        n.addField(NODE_NAME, delimited(List.of(ByteString.copyFromUtf8(name))));
        n.addField(NODE_OP, delimited(List.of(ByteString.copyFromUtf8(op))));
        if (!intAttributes.isEmpty()) {
            List<ByteString> attrs = new ArrayList<>();
            for (Map.Entry<String, Long> e : new java.util.TreeMap<>(intAttributes).entrySet()) {
                UnknownFieldSet.Builder a = UnknownFieldSet.newBuilder();
                a.addField(ATTR_NAME, delimited(List.of(ByteString.copyFromUtf8(e.getKey()))));
                a.addField(ATTR_I, Field.newBuilder().addVarint(e.getValue()).build());
                a.addField(ATTR_TYPE, Field.newBuilder().addVarint(ATTR_TYPE_INT).build());
                attrs.add(a.build().toByteString());
            }
            n.addField(NODE_ATTRIBUTE, delimited(attrs));
        }
        return n.build().toByteString();
    }

    private static ByteString floats(String name, long[] dims, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        return tensor(name, dims, FLOAT, buf.array());
    }

    private static ByteString longs(String name, long[] dims, long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        return tensor(name, dims, INT64, buf.array());
    }

    private static ByteString tensor(String name, long[] dims, int type, byte[] raw) {
        UnknownFieldSet.Builder t = UnknownFieldSet.newBuilder();
        Field.Builder d = Field.newBuilder();
        for (long v : dims) {
            d.addVarint(v);
        }
        t.addField(TENSOR_DIMS, d.build());
        t.addField(TENSOR_TYPE, Field.newBuilder().addVarint(type).build());
        t.addField(TENSOR_NAME, delimited(List.of(ByteString.copyFromUtf8(name))));
        t.addField(TENSOR_RAW, delimited(List.of(ByteString.copyFrom(raw))));
        return t.build().toByteString();
    }

    /** A float tensor's value info {@code [batch, a]} ({@code b < 0}) or {@code [batch, a, b]}. */
    private static ByteString valueInfo(String name, int a, int b) {
        List<ByteString> dims = new ArrayList<>();
        dims.add(UnknownFieldSet.newBuilder().addField(DIM_PARAM, delimited(List.of(ByteString.copyFromUtf8("batch"))))
                .build().toByteString());
        for (int v : a < 0 ? new int[] {b} : new int[] {a, b}) {
            dims.add(UnknownFieldSet.newBuilder().addField(DIM_VALUE, Field.newBuilder().addVarint(v).build()).build()
                    .toByteString());
        }
        ByteString shape = UnknownFieldSet.newBuilder().addField(SHAPE_DIM, delimited(dims)).build().toByteString();
        ByteString tensor = UnknownFieldSet.newBuilder().addField(TENSOR_ELEM, Field.newBuilder().addVarint(FLOAT).build())
                .addField(TENSOR_SHAPE, delimited(List.of(shape))).build().toByteString();
        ByteString type = UnknownFieldSet.newBuilder().addField(TYPE_TENSOR, delimited(List.of(tensor))).build()
                .toByteString();
        return UnknownFieldSet.newBuilder().addField(VALUE_NAME, delimited(List.of(ByteString.copyFromUtf8(name))))
                .addField(VALUE_TYPE, delimited(List.of(type))).build().toByteString();
    }

    private static boolean isInitializer(UnknownFieldSet graph, String name) throws InvalidProtocolBufferException {
        for (ByteString t : graph.getField(GRAPH_INITIALIZER).getLengthDelimitedList()) {
            if (name.equals(string(UnknownFieldSet.parseFrom(t), TENSOR_NAME))) {
                return true;
            }
        }
        return false;
    }

    /** The names of a graph's outputs, in order. */
    static List<String> outputs(byte[] model) throws InvalidProtocolBufferException {
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(only(UnknownFieldSet.parseFrom(model), MODEL_GRAPH));
        List<String> names = new ArrayList<>();
        for (ByteString o : graph.getField(GRAPH_OUTPUT).getLengthDelimitedList()) {
            names.add(string(UnknownFieldSet.parseFrom(o), VALUE_NAME));
        }
        return names;
    }

    /** Each node's op type, in graph order (for tests). */
    static Map<String, String> nodeOps(byte[] model) throws InvalidProtocolBufferException {
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(only(UnknownFieldSet.parseFrom(model), MODEL_GRAPH));
        Map<String, String> ops = new LinkedHashMap<>();
        for (ByteString n : graph.getField(GRAPH_NODE).getLengthDelimitedList()) {
            UnknownFieldSet node = UnknownFieldSet.parseFrom(n);
            ops.put(strings(node, NODE_OUTPUT).get(0), string(node, NODE_OP));
        }
        return ops;
    }

    private static ByteString only(UnknownFieldSet message, int field) {
        List<ByteString> l = message.getField(field).getLengthDelimitedList();
        if (l.size() != 1) {
            throw new IllegalArgumentException("not an ONNX model: field " + field + " occurs " + l.size() + " times");
        }
        return l.get(0);
    }

    private static String string(UnknownFieldSet message, int field) {
        List<ByteString> l = message.getField(field).getLengthDelimitedList();
        return l.isEmpty() ? "" : l.get(0).toStringUtf8();
    }

    private static List<String> strings(UnknownFieldSet message, int field) {
        return message.getField(field).getLengthDelimitedList().stream().map(ByteString::toStringUtf8).toList();
    }

    private static Field delimited(List<ByteString> values) {
        Field.Builder f = Field.newBuilder();
        values.forEach(f::addLengthDelimited);
        return f.build();
    }

    private static float[] flatten(double[][] a) {
        float[] out = new float[a.length * a[0].length];
        int k = 0;
        for (double[] row : a) {
            for (double v : row) {
                out[k++] = (float) v;
            }
        }
        return out;
    }

    private static float[] toFloat(double[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = (float) a[i];
        }
        return out;
    }

}
