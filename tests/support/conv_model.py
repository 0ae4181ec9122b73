"""Small ONNX models built like the quantized Kokoro's convolutions, for the rewrite's tests.

Every convolution is ``DynamicQuantizeLinear -> ConvInteger (uint8 weights)
-> Cast -> Mul(scale)``, as onnxruntime's dynamic quantizer writes them.
Weights stay in 0..63, so that no int8 kernel (AVX2 without VNNI sums
pairs of products in 16 bits) can saturate: the rewrite is then exact on
any CPU, and a test that finds a difference has found a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


@dataclass(frozen=True)
class ConvSpec:
    cout: int
    kernel: int
    dilation: int = 1
    pads: tuple[int, int] = (0, 0)
    stride: int = 1


def _conv(nodes: list[onnx.NodeProto], inits: list[onnx.TensorProto], x: str, cin: int,
          spec: ConvSpec, tag: str, rng: np.random.Generator, *, quantized: str | None = None,
          ) -> str:
    """Append one quantized convolution reading float ``x``; returns its float output.
    ``quantized`` names an earlier convolution whose quantization of ``x`` it reuses."""
    w = rng.integers(0, 64, (spec.cout, cin, spec.kernel), dtype=np.uint8)
    inits += [numpy_helper.from_array(w, f"{tag}_w"),
              numpy_helper.from_array(np.array(rng.integers(20, 44), np.uint8), f"{tag}_wz"),
              numpy_helper.from_array(np.array(0.01, np.float32), f"{tag}_ws")]
    if quantized is None:
        nodes.append(helper.make_node("DynamicQuantizeLinear", [x],
                                      [f"{tag}_xq", f"{tag}_xs", f"{tag}_xz"]))
        quantized = tag
    nodes += [
        helper.make_node("ConvInteger", [f"{quantized}_xq", f"{tag}_w", f"{quantized}_xz",
                                         f"{tag}_wz"], [f"{tag}_i"],
                         kernel_shape=[spec.kernel], dilations=[spec.dilation],
                         pads=list(spec.pads), strides=[spec.stride]),
        helper.make_node("Cast", [f"{tag}_i"], [f"{tag}_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", [f"{quantized}_xs", f"{tag}_ws"], [f"{tag}_scale"]),
        helper.make_node("Mul", [f"{tag}_f", f"{tag}_scale"], [f"{tag}_y"]),
    ]
    return f"{tag}_y"


def conv_stack_model(specs: list[ConvSpec], cin: int, *, share_first_input: bool = False,
                     opset: int = 20, seed: int = 0) -> onnx.ModelProto:
    """x [1, cin, T] -> the convolutions in a chain -> y; ``share_first_input`` adds a second
    convolution reading the first one's quantized input (a tensor read twice)."""
    rng = np.random.default_rng(seed)
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    x, channels, outputs = "x", cin, []
    for i, spec in enumerate(specs):
        x = _conv(nodes, inits, x, channels, spec, f"c{i}", rng)
        channels = spec.cout
        if i == 0 and share_first_input:
            twin = _conv(nodes, inits, "x", cin, spec, "twin", rng, quantized="c0")
            outputs.append(twin)
    outputs.append(x)
    graph = helper.make_graph(
        nodes, "convs", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, cin, "T"])],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, [1, None, None]) for o in outputs], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=10)


def kokoro_like_conv_model(path: Path) -> Path:
    """A model with Kokoro's inputs and output whose work is two quantized convolutions.

    tokens [1, n] and style [1, 256] become 8 channels over n frames, go through a
    kernel-3 and a dilated kernel-5 convolution, and are summed into ``audio`` [n].
    """
    rng = np.random.default_rng(1)
    nodes: list[onnx.NodeProto] = []
    inits = [numpy_helper.from_array(np.linspace(0.5, 2.0, 8, dtype=np.float32).reshape(1, 8, 1),
                                     "gains"),
             numpy_helper.from_array(np.array([1], np.int64), "axis1"),
             numpy_helper.from_array(np.array([-1], np.int64), "flat")]
    nodes += [
        helper.make_node("Cast", ["tokens"], ["tokens_f"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["tokens_f", "axis1"], ["t3"]),
        helper.make_node("ReduceSum", ["style"], ["style_sum"], keepdims=1),
        helper.make_node("Mul", ["t3", "gains"], ["chan"]),
        helper.make_node("Mul", ["chan", "style_sum"], ["styled"]),
        helper.make_node("Div", ["styled", "speed"], ["x"]),
    ]
    y = _conv(nodes, inits, "x", 8, ConvSpec(8, 3, pads=(1, 1)), "a", rng)
    y = _conv(nodes, inits, y, 8, ConvSpec(4, 5, dilation=2, pads=(4, 4)), "b", rng)
    nodes += [helper.make_node("ReduceSum", [y, "axis1"], ["summed"], keepdims=0),
              helper.make_node("Reshape", ["summed", "flat"], ["audio"])]
    graph = helper.make_graph(
        nodes, "kokoro_like",
        [helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, "n"]),
         helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
         helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [None])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)], ir_version=10)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
