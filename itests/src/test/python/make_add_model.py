"""Writes the tiny ONNX graph the in-framework test loads: y = x + 1, float32 [N, 3] (opset 17).

Run with Debian's python3-onnx: /usr/bin/python3 itests/src/test/python/make_add_model.py
"""
import os
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

one = numpy_helper.from_array(np.ones((1, 3), dtype=np.float32), name="one")
node = helper.make_node("Add", ["x", "one"], ["y"])
graph = helper.make_graph(
    [node], "add_one",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
    initializer=[one])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tempered-itests")
model.ir_version = 8
onnx.checker.check_model(model)
out = os.path.join(os.path.dirname(__file__), "..", "resources", "add_one.onnx")
onnx.save(model, out)
print("wrote", os.path.normpath(out))
