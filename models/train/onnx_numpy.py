"""A tiny NumPy interpreter for the handful of ONNX operators our exported MLP graphs use.

onnxruntime is not installable in the training environment and onnx 1.12 has no
``onnx.reference``, so the export is verified by running the *ONNX file itself* through this
interpreter and comparing with the PyTorch module. Unknown operators raise, so a graph that
uses anything else fails verification instead of being silently mis-evaluated.

``uniform`` lets the caller supply the values of RandomUniformLike nodes (a callable
``(node_name, shape, low, high) -> ndarray``), so a stochastic graph can be compared with the
same masks applied in PyTorch.
"""
import numpy as np
import onnx
from onnx import numpy_helper

_ONNX_TO_NP = {
    onnx.TensorProto.FLOAT: np.float32,
    onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.INT64: np.int64,
    onnx.TensorProto.INT32: np.int32,
    onnx.TensorProto.BOOL: np.bool_,
}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run(model, feeds, uniform=None, rng=None):
    """Evaluate ``model`` (onnx.ModelProto) on ``feeds`` (dict name -> ndarray); return list of outputs."""
    env = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    env.update(feeds)
    if rng is None:
        rng = np.random.default_rng(0)
    for node in model.graph.node:
        a = _attrs(node)
        x = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Constant":
            out = numpy_helper.to_array(a["value"])
        elif op == "Identity":
            out = x[0]
        elif op == "Add":
            out = x[0] + x[1]
        elif op == "Sub":
            out = x[0] - x[1]
        elif op == "Mul":
            out = x[0] * x[1]
        elif op == "Div":
            out = x[0] / x[1]
        elif op == "Relu":
            out = np.maximum(x[0], 0).astype(x[0].dtype)
        elif op == "MatMul":
            out = np.matmul(x[0], x[1])
        elif op == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            out = a.get("alpha", 1.0) * (A @ B)
            if len(x) > 2 and x[2] is not None:
                out = out + a.get("beta", 1.0) * x[2]
            out = out.astype(np.float32)
        elif op == "Unsqueeze":
            axes = a["axes"] if "axes" in a else list(x[1])
            out = x[0]
            for ax in sorted(int(v) if v >= 0 else int(v) + out.ndim + 1 for v in axes):
                out = np.expand_dims(out, ax)
        elif op == "Concat":
            out = np.concatenate(x, axis=a["axis"])
        elif op == "Shape":
            out = np.array(x[0].shape, dtype=np.int64)
        elif op == "Reshape":
            shape = [x[0].shape[i] if s == 0 else int(s) for i, s in enumerate(x[1])]
            out = x[0].reshape(shape)
        elif op == "Cast":
            out = x[0].astype(_ONNX_TO_NP[a["to"]])
        elif op == "Less":
            out = x[0] < x[1]
        elif op == "LessOrEqual":
            out = x[0] <= x[1]
        elif op == "Greater":
            out = x[0] > x[1]
        elif op == "GreaterOrEqual":
            out = x[0] >= x[1]
        elif op == "Not":
            out = np.logical_not(x[0])
        elif op == "RandomUniformLike":
            lo, hi = a.get("low", 0.0), a.get("high", 1.0)
            if uniform is not None:
                out = np.asarray(uniform(node.name, x[0].shape, lo, hi), dtype=np.float32)
            else:
                out = rng.uniform(lo, hi, size=x[0].shape).astype(np.float32)
        else:
            raise NotImplementedError("ONNX op not supported by the verifier: " + op)
        if len(node.output) != 1:
            raise NotImplementedError("multi-output node " + op)
        env[node.output[0]] = out
    return [env[o.name] for o in model.graph.output]
