"""Kokoro's quantized convolutions rewritten as u8 x s8 matrix products, bit for bit.

The pinned model is dynamically quantized: every Conv1d became
``DynamicQuantizeLinear -> ConvInteger`` with uint8 weights. onnxruntime runs
ConvInteger only for uint8 x uint8, which x86 CPUs have no dot-product
instruction for, while its MatMulInteger for uint8 x int8 uses VNNI (and AMX):
on the 2-core bench machine a 128-channel, kernel-3 convolution over 24,000
frames took 8.6 ms as ConvInteger and 1.3 ms as the same products through
MatMulInteger. ConvInteger was 56 % of a synthesis.

Each 1-D, stride-1, ungrouped ConvInteger ``y = conv(x - x_zp, w - w_zp)``
becomes (im2col, in the graph):

    A  = w as [Cout, K * Cin] (tap-major columns), still uint8, a_zp = w_zp
    xs = x - 128 as int8 (xor 0x80, then reinterpret), xs_zp = x_zp - 128
    B  = concat over taps k of pad(xs, xs_zp)[:, :, k * dilation : k * dilation + T]
    y  = MatMulInteger(A, B, w_zp, xs_zp)      # [1, Cout, T] int32

Padding with the (shifted) zero point contributes nothing, as in
ConvInteger, and ``(x - 128) - (x_zp - 128) == x - x_zp``: the int32 sums are
the same integers, so the model's output is the same bytes. The one way it
could differ is an int8 kernel that saturates 16-bit intermediate sums (AVX2
without VNNI); that is why ``fast_model`` only uses a rewritten model after
checking, on this machine, that it speaks byte for byte like the pinned one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

_MIN_OPSET = 18  # BitwiseXor
_INT64_MAX = np.iinfo(np.int64).max


@dataclass
class _Rewriter:
    initializers: dict[str, onnx.TensorProto]
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    added: list[onnx.TensorProto] = field(default_factory=list)
    signed: dict[str, str] = field(default_factory=dict)  # uint8 tensor -> its int8 twin
    count: int = 0

    def constant(self, name: str, value: np.ndarray) -> str:
        self.added.append(numpy_helper.from_array(value, name))
        return name

    def as_int8(self, name: str) -> str:
        """``name`` (uint8) minus 128 as int8; made once per tensor however many read it."""
        if name not in self.signed:
            flipped, out = f"{name}/xor80", f"{name}/s8"
            if not self.signed:  # the first one brings the constant
                self.constant("conv_rewrite/0x80", np.array(0x80, np.uint8))
            # Flipping the top bit and reading the byte as signed subtracts 128
            # exactly (Cast between 8-bit integers keeps the bits).
            self.nodes.append(helper.make_node("BitwiseXor", [name, "conv_rewrite/0x80"],
                                               [flipped], name=f"{name}/Xor80"))
            self.nodes.append(helper.make_node("Cast", [flipped], [out], to=TensorProto.INT8,
                                               name=f"{name}/AsInt8"))
            self.signed[name] = out
        return self.signed[name]

    def rewritable(self, node: onnx.NodeProto) -> bool:
        if node.op_type != "ConvInteger" or len(node.input) < 4:
            return False
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        weight, weight_zp = (self.initializers.get(node.input[i]) for i in (1, 3))
        return (weight is not None and len(weight.dims) == 3
                and weight.data_type == TensorProto.UINT8
                and weight_zp is not None and int(np.prod(weight_zp.dims)) == 1
                and attrs.get("group", 1) == 1 and list(attrs.get("strides", [1])) == [1]
                and attrs.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET"))

    def rewrite(self, node: onnx.NodeProto) -> None:
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        x, w_name, x_zp, w_zp = node.input[:4]
        w = numpy_helper.to_array(self.initializers[w_name])  # [Cout, Cin, K] uint8
        cout, cin, taps = w.shape
        dilation = int(attrs.get("dilations", [1])[0])
        begin, end = (int(p) for p in attrs.get("pads", [0, 0]))
        tag = f"conv_rewrite/{self.count}"
        self.count += 1
        a = self.constant(f"{tag}/A", np.ascontiguousarray(
            w.transpose(0, 2, 1).reshape(cout, taps * cin)))
        xs, xs_zp = self.as_int8(x), self.as_int8(x_zp)
        columns = xs
        if begin or end:
            pads = self.constant(f"{tag}/pads", np.array([0, 0, begin, 0, 0, end], np.int64))
            columns = f"{tag}/padded"
            self.nodes.append(helper.make_node("Pad", [xs, pads, xs_zp], [columns],
                                               name=f"{tag}/Pad"))
        if taps > 1:
            span = dilation * (taps - 1)
            axis = self.constant(f"{tag}/axis", np.array([2], np.int64))
            shifted = []
            for k in range(taps):
                stop = k * dilation - span  # negative: counted from the end; 0 means "to the end"
                starts = self.constant(f"{tag}/start{k}", np.array([k * dilation], np.int64))
                ends = self.constant(f"{tag}/end{k}",
                                     np.array([stop if stop < 0 else _INT64_MAX], np.int64))
                shifted.append(f"{tag}/tap{k}")
                self.nodes.append(helper.make_node("Slice", [columns, starts, ends, axis],
                                                   [shifted[-1]], name=f"{tag}/Tap{k}"))
            columns = f"{tag}/columns"
            self.nodes.append(helper.make_node("Concat", shifted, [columns], axis=1,
                                               name=f"{tag}/Columns"))
        self.nodes.append(helper.make_node("MatMulInteger", [a, columns, w_zp, xs_zp],
                                           list(node.output), name=f"{tag}/MatMulInteger"))


def rewrite_conv_integer(model: onnx.ModelProto) -> int:
    """Rewrite ``model``'s eligible ConvInteger nodes in place; returns how many.

    Nodes it cannot rewrite exactly (2-D, strided, grouped, per-channel or
    non-constant weights) are left as they are.
    """
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 0)
    if opset < _MIN_OPSET:
        return 0
    graph = model.graph
    rewriter = _Rewriter({t.name: t for t in graph.initializer})
    for node in graph.node:
        if rewriter.rewritable(node):
            rewriter.rewrite(node)
        else:
            rewriter.nodes.append(node)
    if not rewriter.count:
        return 0
    del graph.node[:]
    graph.node.extend(rewriter.nodes)  # the order stays topological: each rewrite is in place
    used = {name for node in graph.node for name in node.input}
    kept = [t for t in graph.initializer if t.name in used]  # the uint8 weights now unused
    del graph.initializer[:]
    graph.initializer.extend(kept + rewriter.added)
    return rewriter.count
