"""A trained network as an ONNX model (the `onnx` package, an optional extra: pip install "specnet[onnx]").

The graph takes examples as rows, input (N, sizes[0]), and gives output (N, sizes[-1]), the output layer's
activations a^L. Each layer is one Gemm, z = x wᵀ + b (the transpose of the book's z = w a + b, rows being
examples), and its activation: Sigmoid, Tanh, Relu, Identity (linear), Softmax over each row, or
Greater + Cast (the perceptron's step). Numbers are the model's dtype: float32 (specnet's default), or
float64 for a float64 network. An input scaling fitted on the training data (data.scale) is the graph's
first two nodes, Sub x_shift and Mul x_scale, so raw inputs go in; every graph also says in its metadata
(metadata_props) what inputs it expects, e.g. MNIST's pixels scaled to [0, 1].

    >>> import onnxruntime                                            # doctest: +SKIP
    >>> onnxruntime.InferenceSession("net.onnx").run(None, {"input": x})[0]   # doctest: +SKIP
"""
from __future__ import annotations

import json

import numpy as np

from specnet.errors import SpecError
from specnet import __version__

OPSET, IR_VERSION = 17, 8  # ONNX 1.12's: runtimes since 2022 read it
NODES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "linear": "Identity", "softmax": "Softmax"}


def _onnx():
    """Return the onnx module, or raise one line naming the extra that installs it."""
    try:
        import onnx
    except ImportError:
        raise SpecError("export --format onnx needs the onnx package, which is not installed",
                        file="specnet export", hint='Install the extra: pip install "specnet[onnx]".') from None
    return onnx


def _activation(helper, name: str, z: str, a: str, zero: str, elem: int) -> list:
    """Return the nodes that compute a = σ(z) for specnet's activation `name`."""
    if name == "perceptron":  # 1 if z > 0 else 0  (1.2): strict, as specnet's
        return [helper.make_node("Greater", [z, zero], [z + "_positive"]),
                helper.make_node("Cast", [z + "_positive"], [a], to=elem)]
    # NOTE: Softmax's axis 1 is each row, one example's outputs (specnet normalises each column, the same thing).
    return [helper.make_node(NODES[name], [z], [a], **({"axis": 1} if name == "softmax" else {}))]


def onnx_bytes(model: dict) -> bytes:
    """Return a checked ONNX model of a trained network (`specnet.runs.export.trained`) as bytes."""
    onnx = _onnx()
    from onnx import helper, numpy_helper
    dtype = np.dtype(model["dtype"])
    elem, zero = helper.np_dtype_to_tensor_dtype(dtype), "zero"
    inits, nodes, x = [], [], "input"
    if "perceptron" in model["activations"]:
        inits.append(numpy_helper.from_array(np.zeros((), dtype), zero))
    scaling = model.get("scaling")
    if scaling is not None:  # (x − x_shift) ⊙ x_scale, as specnet.datasets.scaling applies it (there in float64)
        inits += [numpy_helper.from_array(scaling.shift.astype(dtype), "x_shift"),
                  numpy_helper.from_array(scaling.scale.astype(dtype), "x_scale")]
        nodes += [helper.make_node("Sub", ["input", "x_shift"], ["shifted"]),
                  helper.make_node("Mul", ["shifted", "x_scale"], ["scaled"])]
        x = "scaled"
    last = len(model["weights"]) - 1
    for l, (w, b, act) in enumerate(zip(model["weights"], model["biases"], model["activations"])):
        inits += [numpy_helper.from_array(np.asarray(w, dtype), f"w{l}"),
                  numpy_helper.from_array(np.asarray(b, dtype).reshape(-1), f"b{l}")]
        nodes.append(helper.make_node("Gemm", [x, f"w{l}", f"b{l}"], [f"z{l}"], transB=1))  # (N, n_l)
        x = "output" if l == last else f"a{l}"
        nodes += _activation(helper, act, f"z{l}", x, zero, elem)
    sizes = model["sizes"]
    graph = helper.make_graph(nodes, model["name"], [helper.make_tensor_value_info("input", elem, ["N", sizes[0]])],
                              [helper.make_tensor_value_info("output", elem, ["N", sizes[-1]])], inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="specnet",
                          producer_version=__version__, doc_string=f"specnet network {sizes}; input: {model['input']}")
    m.ir_version = IR_VERSION
    helper.set_model_props(m, {"specnet.input": model["input"], "specnet.scale": model.get("scale", "none"),
                               "specnet.sizes": json.dumps(sizes), "specnet.activations": json.dumps(model["activations"]),
                               "specnet.cost": model["cost"], "specnet.classes": json.dumps(model.get("classes"))})
    onnx.checker.check_model(m)
    return m.SerializeToString()
