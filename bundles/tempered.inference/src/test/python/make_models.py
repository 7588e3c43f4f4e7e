#!/usr/bin/python3
"""Writes the small ONNX model packages the inference tests use, and the benchmark packages.

    /usr/bin/python3 make_models.py tests OUT_DIR        # test packages (committed under src/test/resources)
    /usr/bin/python3 make_models.py bench REAL_PKG OUT   # 1-member and fused 5-member variants of a trained
                                                         # 57->128->64->10 ensemble package

Needs Debian's python3-onnx (1.12) and numpy; the pyenv python3 first on PATH lacks them.
Everything is seeded, so re-running gives byte-identical files.
"""
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
F, C, M = 8, 4, 3  # features, classes, members of the tiny test models


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def save(model, path):
    onnx.checker.check_model(model, full_check=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)


def io(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def make(nodes, inits, out_dims, name):
    graph = helper.make_graph(nodes, name, [io("features", ["N", F])], [io("logits", out_dims)],
                              initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_models.py")
    model.ir_version = 8
    return model


def linear_ensemble(seed, name, bias_shift=0.0, members=M):
    """logits[n, m, c] = x[n] . W[:, m*C + c] + b[m*C + c]: cheap, deterministic, distinguishable by seed."""
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(F, members * C)).astype(np.float32)
    b = (rng.normal(size=(members * C,)) + bias_shift).astype(np.float32)
    shape = np.array([0, members, C], dtype=np.int64)  # 0 copies the batch dimension
    nodes = [helper.make_node("MatMul", ["features", "w"], ["xw"]),
             helper.make_node("Add", ["xw", "b"], ["flat"]),
             helper.make_node("Reshape", ["flat", "shape"], ["logits"])]
    return make(nodes, {"w": w, "b": b, "shape": shape}, ["N", members, C], name)


def mc_dropout(seed, name, p=0.5):
    """One network whose hidden layer is masked by RandomUniformLike -> GreaterOrEqual -> Cast -> Mul.

    A Dropout node would be removed by ONNX Runtime's optimiser even with training_mode=true; an explicit
    random mask survives, so repeated passes differ.
    """
    rng = np.random.default_rng(seed)
    h = 32
    inits = {"w1": rng.normal(size=(F, h)).astype(np.float32), "b1": rng.normal(size=(h,)).astype(np.float32),
             "w2": rng.normal(size=(h, C)).astype(np.float32), "b2": rng.normal(size=(C,)).astype(np.float32),
             "p": np.array(p, dtype=np.float32), "scale": np.array(1.0 / (1.0 - p), dtype=np.float32),
             "axis1": np.array([1], dtype=np.int64)}
    nodes = [helper.make_node("MatMul", ["features", "w1"], ["z1"]),
             helper.make_node("Add", ["z1", "b1"], ["a1"]),
             helper.make_node("Relu", ["a1"], ["h1"]),
             helper.make_node("RandomUniformLike", ["h1"], ["u"], dtype=TensorProto.FLOAT),
             helper.make_node("GreaterOrEqual", ["u", "p"], ["keep"]),
             helper.make_node("Cast", ["keep"], ["keepf"], to=TensorProto.FLOAT),
             helper.make_node("Mul", ["h1", "keepf"], ["hm"]),
             helper.make_node("Mul", ["hm", "scale"], ["hd"]),
             helper.make_node("MatMul", ["hd", "w2"], ["z2"]),
             helper.make_node("Add", ["z2", "b2"], ["out"]),
             helper.make_node("Unsqueeze", ["out", "axis1"], ["logits"])]
    return make(nodes, inits, ["N", 1, C], name)


def write_package(out, model, manifest):
    onnx_path = os.path.join(out, "model.onnx")
    save(model, onnx_path)
    doc = {"formatVersion": 1, "task": "genre", "labels": ["rock", "jazz", "blues", "pop"][:C],
           "sampleRate": 22050,
           "frontEnd": {"type": "test-vector", "features": ["f%d" % i for i in range(F)]},
           "windowing": {"windowSeconds": 30.0, "maxWindows": 3, "placement": "spread",
                         "combine": "mean-probability"},
           "input": {"name": "features", "shape": [-1, F]},
           "output": {"name": "logits", "shape": [-1, M, C]},
           "members": M, "mcDropout": {"passes": 0},
           "defaultTemperature": 1.5,
           "provenance": {"data": "random weights", "generatedBy": "src/test/python/make_models.py"}}
    doc.update(manifest)
    doc["files"] = {"model.onnx": sha256(onnx_path)}
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def tests(out):
    write_package(os.path.join(out, "tiny-1"), linear_ensemble(1, "tiny-1"),
                  {"id": "tiny", "version": "1.0.0", "name": "Tiny linear ensemble, seed 1"})
    write_package(os.path.join(out, "tiny-2"), linear_ensemble(2, "tiny-2", bias_shift=3.0),
                  {"id": "tiny", "version": "2.0.0", "name": "Tiny linear ensemble, seed 2"})
    write_package(os.path.join(out, "other"), linear_ensemble(3, "other"),
                  {"id": "other", "version": "0.1", "name": "Another tiny ensemble"})
    write_package(os.path.join(out, "mcd"), mc_dropout(4, "mcd"),
                  {"id": "tiny-mcd", "version": "1.0.0", "name": "Tiny MC-dropout network",
                   "members": 1, "mcDropout": {"passes": 6}, "output": {"name": "logits", "shape": [-1, 1, C]}})
    nan = linear_ensemble(5, "nan")
    for t in nan.graph.initializer:
        if t.name == "b":
            b = numpy_helper.to_array(t).copy()
            b[0] = np.nan
            t.CopyFrom(numpy_helper.from_array(b, "b"))
    write_package(os.path.join(out, "nan"), nan, {"id": "nan", "version": "1.0.0", "name": "Yields NaN"})


# ----------------------------------------------------------------------------------------------- bench

def member_chain(nodes, inits, src, prefix, out):
    """Re-creates one member 57->128->64->10 of the trained ensemble from its initializers."""
    for i, (w, b) in enumerate([("fc1", "fc1"), ("fc2", "fc2"), ("fc3", "fc3")]):
        y = out if i == 2 else "%s.h%d" % (prefix, i)
        nodes.append(helper.make_node("Gemm", [src, prefix + "." + w + ".weight", prefix + "." + b + ".bias"],
                                      [y + ("" if i == 2 else ".z")], transB=1))
        if i < 2:
            nodes.append(helper.make_node("Relu", [y + ".z"], [y]))
        src = y


def bench(real, out):
    trained = onnx.load(os.path.join(real, "model.onnx"))
    with open(os.path.join(real, "model.json")) as f:
        spec = json.load(f)
    w = {t.name: numpy_helper.to_array(t) for t in trained.graph.initializer}
    members = spec["members"]
    n_in, classes = spec["input"]["shape"][1], len(spec["labels"])

    def std_nodes():
        return [helper.make_node("Sub", ["features", "standardize.mean"], ["centred"]),
                helper.make_node("Div", ["centred", "standardize.std"], ["z"])]

    def graph(nodes, inits, k, name):
        g = helper.make_graph(nodes, name, [io("features", ["N", n_in])], [io("logits", ["N", k, classes])],
                              initializer=[numpy_helper.from_array(v, n) for n, v in inits.items()])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_models.py")
        m.ir_version = 8
        return m

    def package(name, model, k, note):
        d = os.path.join(out, name)
        save(model, os.path.join(d, "model.onnx"))
        doc = dict(spec)
        doc.update({"id": spec["id"] + "-" + name, "members": k, "name": note,
                    "output": {"name": "logits", "shape": [-1, k, classes]},
                    "files": {"model.onnx": sha256(os.path.join(d, "model.onnx"))}})
        with open(os.path.join(d, "model.json"), "w") as f:
            json.dump(doc, f, indent=2)

    # One member: the trained member 0, same architecture, same standardisation.
    inits = {"standardize.mean": w["standardize.mean"], "standardize.std": w["standardize.std"],
             "axis1": np.array([1], dtype=np.int64)}
    for k in ("fc1", "fc2", "fc3"):
        for s in ("weight", "bias"):
            inits["m.%s.%s" % (k, s)] = w["nets.0.%s.%s" % (k, s)]
    nodes = std_nodes()
    member_chain(nodes, inits, "z", "m", "single")
    nodes.append(helper.make_node("Unsqueeze", ["single", "axis1"], ["logits"]))
    package("single", graph(nodes, inits, 1, "single"), 1, "member 0 of the trained ensemble")

    # All members fused: weights stacked to [members, in, out], one batched MatMul per layer.
    inits = {"standardize.mean": w["standardize.mean"], "standardize.std": w["standardize.std"],
             "perm": np.array([1, 0, 2], dtype=np.int64)}
    for k in ("fc1", "fc2", "fc3"):
        inits["W" + k] = np.stack([w["nets.%d.%s.weight" % (i, k)].T for i in range(members)]).astype(np.float32)
        inits["B" + k] = np.stack([w["nets.%d.%s.bias" % (i, k)][None, :] for i in range(members)]).astype(
            np.float32)
    nodes = std_nodes()
    src = "z"
    for i, k in enumerate(("fc1", "fc2", "fc3")):
        nodes.append(helper.make_node("MatMul", [src, "W" + k], [k + ".mm"]))  # [members, N, out]
        nodes.append(helper.make_node("Add", [k + ".mm", "B" + k], [k + ".z"]))
        if i < 2:
            nodes.append(helper.make_node("Relu", [k + ".z"], [k + ".h"]))
            src = k + ".h"
    nodes.append(helper.make_node("Transpose", ["fc3.z"], ["logits"], perm=[1, 0, 2]))
    del inits["perm"]
    package("fused", graph(nodes, inits, members, "fused"), members,
            "the trained ensemble with members' layers stacked into batched MatMuls")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "tests":
        tests(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "bench":
        bench(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
