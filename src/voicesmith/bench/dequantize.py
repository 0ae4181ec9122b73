"""Undo the int8 model's dynamic quantization: the float candidates of the engine bench.

The pinned Kokoro model was quantized with onnxruntime's dynamic quantizer:
each quantized convolution is the chain

    x -> DynamicQuantizeLinear -> ConvInteger(xq, Wq, x_zp, W_zp) [-> Add(bias_q)]
      -> Cast(float) -> Mul(x_scale * W_scale) -> y

and each quantized matrix product the same with MatMulInteger and no bias.
ConvInteger takes about 60 % of a synthesis on CPU, so float Conv (MLAS's
kernels) was worth measuring: ``dequantize`` rewrites such chains as one
float ``Conv`` (or ``MatMul``) on ``x`` with the weights
``(Wq - W_zp) * W_scale`` and the float bias, which is what the quantized
chain approximates; ``DynamicQuantizeLSTM`` becomes ``LSTM`` the same way.
The result computes the same function up to the activation rounding the
int8 model adds. (Measured on AVX-512 VNNI, the float models were 7-11 %
slower and larger, so the engine does not use them; see
``bench/engine_options.py``.)

Two ways to hold the dequantized weights:

* ``float``: as float32 initializers (4x the bytes of the uint8 ones);
* ``runtime``: the uint8 initializers stay, each followed by a
  ``DequantizeLinear`` node that onnxruntime runs on every inference (it does
  not fold it into a constant), so the resident model stays int8-sized.

A chain that does not have exactly the expected shape is left as it is, so
any model (including one without quantized operators) can be passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import onnx
from onnx import helper, numpy_helper

WeightMode = Literal["float", "runtime"]
QUANTIZED_OPS = ("ConvInteger", "MatMulInteger", "DynamicQuantizeLSTM")


@dataclass
class _Graph:
    """Indexes over one graph as it was before the rewrite (which only reads them)."""

    graph: onnx.GraphProto
    inits: dict[str, onnx.TensorProto] = field(init=False)
    producer: dict[str, onnx.NodeProto] = field(init=False)
    consumers: dict[str, list[onnx.NodeProto]] = field(init=False)

    def __post_init__(self) -> None:
        self.inits = {t.name: t for t in self.graph.initializer}
        self.producer = {out: n for n in self.graph.node for out in n.output}
        self.consumers = defaultdict(list)
        for n in self.graph.node:
            for name in n.input:
                self.consumers[name].append(n)
        self.graph_outputs = {o.name for o in self.graph.output}

    def array(self, name: str) -> np.ndarray | None:
        init = self.inits.get(name)
        return None if init is None else numpy_helper.to_array(init)

    def only_consumer(self, name: str, op_type: str) -> onnx.NodeProto | None:
        users = self.consumers.get(name, [])
        if len(users) == 1 and users[0].op_type == op_type and name not in self.graph_outputs:
            return users[0]
        return None

    def made_by(self, name: str, op_type: str) -> onnx.NodeProto | None:
        node = self.producer.get(name)
        return node if node is not None and node.op_type == op_type else None


@dataclass(frozen=True)
class _Chain:
    """One quantized chain, found and checked, ready to be replaced."""

    quantized: onnx.NodeProto  # ConvInteger / MatMulInteger
    x: str  # the float input before DynamicQuantizeLinear
    w_q: np.ndarray
    w_zp: np.ndarray
    w_scale: np.ndarray
    w_names: tuple[str, str, str]  # initializers of W_q, W_zp, W_scale
    bias: str | None  # float bias initializer (Conv only)
    y: str  # the chain's float output
    tail: tuple[onnx.NodeProto, ...]  # the [Add,] Cast, Mul the float node replaces


def _find_chain(g: _Graph, node: onnx.NodeProto) -> _Chain | None:
    if len(node.input) != 4:
        return None
    xq, wq_name, xzp, wzp_name = node.input
    dql = g.made_by(xq, "DynamicQuantizeLinear")
    w_q, w_zp = g.array(wq_name), g.array(wzp_name)
    if dql is None or w_q is None or w_zp is None or xzp != dql.output[2]:
        return None
    out, bias, tail = node.output[0], None, []
    add = g.only_consumer(out, "Add") if node.op_type == "ConvInteger" else None
    if add is not None:
        bias = _conv_bias(g, add, out)
        if bias is None:
            return None
        out = add.output[0]
        tail.append(add)
    cast = g.only_consumer(out, "Cast")
    mul = g.only_consumer(cast.output[0], "Mul") if cast is not None else None
    if cast is None or mul is None:
        return None
    tail += [cast, mul]
    scale_node = g.made_by(mul.input[1], "Mul") or g.made_by(mul.input[0], "Mul")
    if scale_node is None or dql.output[1] not in scale_node.input:
        return None
    ws_name = next((i for i in scale_node.input if i != dql.output[1]), "")
    w_scale = g.array(ws_name)
    if w_scale is None or w_scale.dtype != np.float32:
        return None
    return _Chain(node, dql.input[0], w_q, w_zp, w_scale, (wq_name, wzp_name, ws_name),
                  bias, mul.output[0], tuple(tail))


def _conv_bias(g: _Graph, add: onnx.NodeProto, conv_out: str) -> str | None:
    """The float bias behind ``Add(conv, Reshape(Cast(Floor(Div(bias, scale)))))``."""
    other = next((i for i in add.input if i != conv_out), "")
    reshape = g.made_by(other, "Reshape")
    cast = g.made_by(reshape.input[0], "Cast") if reshape else None
    floor = g.made_by(cast.input[0], "Floor") if cast else None
    div = g.made_by(floor.input[0], "Div") if floor else None
    if div is None or div.input[0] not in g.inits:
        return None
    return div.input[0]


def _float_weight(chain: _Chain) -> np.ndarray:
    """(W_q - W_zp) * W_scale, with per-column parameters broadcast for MatMul."""
    w = chain.w_q.astype(np.float32) - chain.w_zp.astype(np.float32)
    return (w * chain.w_scale).astype(np.float32)


class _Rewriter:
    def __init__(self, model: onnx.ModelProto, mode: WeightMode) -> None:
        self.model = model
        self.g = _Graph(model.graph)
        self.mode = mode
        self.new_inits: list[onnx.TensorProto] = []
        self.weights: dict[tuple[str, ...], str] = {}  # shared weights dequantized once
        self.replaced: dict[int, list[onnx.NodeProto]] = {}  # node index -> its replacement
        self.new_nodes_front: list[onnx.NodeProto] = []  # runtime DequantizeLinear nodes
        self.superseded: set[str] = set()  # first outputs of the chain nodes replaced

    def weight(self, key: tuple[str, ...], value: np.ndarray,
               runtime: list[onnx.NodeProto] | None) -> str:
        """The name of a float weight, adding once its initializer (``value``) or,
        in runtime mode, the ``runtime`` DequantizeLinear node that makes it."""
        if key in self.weights:
            return self.weights[key]
        name = "/".join(key) + "_dequantized"
        if self.mode == "runtime" and runtime is not None:
            runtime[0].output[0] = name
            self.new_nodes_front.extend(runtime)
        else:
            self.new_inits.append(numpy_helper.from_array(value, name))
        self.weights[key] = name
        return name

    def run(self, ops: Collection[str]) -> int:
        for index, node in enumerate(self.g.graph.node):
            if node.op_type not in ops:
                continue
            if node.op_type == "DynamicQuantizeLSTM":
                new = self._lstm(node)
            else:
                chain = _find_chain(self.g, node)
                new = self._chain(chain) if chain is not None else None
                if chain is not None:
                    self.superseded.update(n.output[0] for n in chain.tail)
            if new is not None:
                self.replaced[index] = new
        if self.replaced:
            self._splice()
        return len(self.replaced)

    def _chain(self, chain: _Chain) -> list[onnx.NodeProto]:
        node = chain.quantized
        runtime = None
        if self.mode == "runtime" and chain.w_scale.size == chain.w_zp.size:
            axis = 1 if node.op_type == "MatMulInteger" else 0
            q, zp, scale = chain.w_names
            runtime = [helper.make_node("DequantizeLinear", [q, scale, zp], [""],
                                        axis=axis, name=node.name + "_weight_dequantize")]
        w = self.weight(chain.w_names, _float_weight(chain) if runtime is None else np.empty(0),
                        runtime)
        name = (node.name or chain.y) + "_float"
        if node.op_type == "MatMulInteger":
            return [helper.make_node("MatMul", [chain.x, w], [chain.y], name=name)]
        inputs = [chain.x, w] + ([chain.bias] if chain.bias else [])
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        return [helper.make_node("Conv", inputs, [chain.y], name=name, **attrs)]

    def _lstm(self, node: onnx.NodeProto) -> list[onnx.NodeProto] | None:
        """DynamicQuantizeLSTM(X, Wq, Rq, B, lens, h0, c0, P, Ws, Wzp, Rs, Rzp) -> LSTM.

        The contrib op holds W as [directions, input, 4 * hidden] (ONNX's LSTM
        wants [directions, 4 * hidden, input]) with one scale and zero point
        per direction.
        """
        ins = list(node.input) + [""] * (12 - len(node.input))
        arrays = [self.g.array(n) for n in ins[1:3] + ins[8:12]]
        if any(a is None for a in arrays):
            return None
        wq, rq, ws, wzp, rs, rzp = (a for a in arrays if a is not None)

        def deq(q: np.ndarray, s: np.ndarray, zp: np.ndarray) -> np.ndarray:
            f = (q.astype(np.float32) - zp.astype(np.float32)[:, None, None]) * s[:, None, None]
            return np.ascontiguousarray(f.transpose(0, 2, 1)).astype(np.float32)

        w = self.weight((ins[1], ins[8], ins[9]), deq(wq, ws, wzp), None)
        r = self.weight((ins[2], ins[10], ins[11]), deq(rq, rs, rzp), None)
        inputs = [ins[0], w, r, *ins[3:8]]
        while inputs and not inputs[-1]:
            inputs.pop()
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        return [helper.make_node("LSTM", inputs, list(node.output),
                                 name=(node.name or node.output[0]) + "_float", **attrs)]

    def _splice(self) -> None:
        nodes: list[onnx.NodeProto] = list(self.new_nodes_front)
        for index, node in enumerate(self.g.graph.node):
            if node.output and node.output[0] in self.superseded:
                continue
            nodes.extend(self.replaced.get(index, [node]))
        # Nodes whose outputs are now read by nobody (the old chains' casts,
        # scales, bias quantization, DynamicQuantizeLinear) go, last to first.
        nodes = _live(nodes, {o.name for o in self.g.graph.output})
        del self.g.graph.node[:]
        self.g.graph.node.extend(nodes)
        used = {i for n in nodes for i in n.input} | {o.name for o in self.g.graph.output}
        kept = [t for t in self.g.graph.initializer if t.name in used]
        kept += [t for t in self.new_inits if t.name in used]
        del self.g.graph.initializer[:]
        self.g.graph.initializer.extend(kept)
        # Old value_info for removed intermediate values would only confuse.
        produced = {o for n in nodes for o in n.output}
        info = [v for v in self.g.graph.value_info if v.name in produced]
        del self.g.graph.value_info[:]
        self.g.graph.value_info.extend(info)


def _live(nodes: list[onnx.NodeProto], outputs: set[str]) -> list[onnx.NodeProto]:
    needed = set(outputs)
    keep: list[onnx.NodeProto] = []
    for node in reversed(nodes):
        if any(o and o in needed for o in node.output):
            keep.append(node)
            needed.update(i for i in node.input if i)
    keep.reverse()
    return keep


def dequantize(model: onnx.ModelProto, *, ops: Iterable[str] = QUANTIZED_OPS,
               mode: WeightMode = "float") -> int:
    """Rewrite ``model`` in place; returns how many quantized operators were replaced."""
    return _Rewriter(model, mode).run(set(ops))
