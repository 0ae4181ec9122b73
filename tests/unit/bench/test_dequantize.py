"""Undoing dynamic quantization: the float graph computes what the quantized one did."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic

from tests.support.tiny_model import build_tiny_kokoro_model
from voicesmith.bench.dequantize import QUANTIZED_OPS, dequantize

HIDDEN = 5


def _run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    out: np.ndarray = session.run(None, {"x": x})[0]
    return out


def _op_types(model: onnx.ModelProto) -> list[str]:
    return [n.op_type for n in model.graph.node]


def _float_model() -> onnx.ModelProto:
    """Conv1d (with bias) -> MatMul -> bidirectional LSTM, like Kokoro's text encoder."""
    rng = np.random.default_rng(7)
    weights = {
        "W": rng.normal(0, 0.3, (8, 4, 3)), "B": rng.normal(0, 0.1, (8,)),
        "M": rng.normal(0, 0.3, (8, 6)),
        "LW": rng.normal(0, 0.3, (2, 4 * HIDDEN, 6)),
        "LR": rng.normal(0, 0.3, (2, 4 * HIDDEN, HIDDEN)),
        "LB": rng.normal(0, 0.1, (2, 8 * HIDDEN)),
    }
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c"], kernel_shape=[3], pads=[1, 1]),
        helper.make_node("Transpose", ["c"], ["ct"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["ct", "M"], ["m"]),
        helper.make_node("Transpose", ["m"], ["mt"], perm=[1, 0, 2]),
        helper.make_node("LSTM", ["mt", "LW", "LR", "LB"], ["y"], hidden_size=HIDDEN,
                         direction="bidirectional"),
    ]
    graph = helper.make_graph(
        nodes, "encoder", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, "T"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["T", 2, 1, HIDDEN])],
        [numpy_helper.from_array(a.astype(np.float32), name) for name, a in weights.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


@pytest.mark.parametrize("weight_type", [QuantType.QUInt8, QuantType.QInt8])
def test_quantized_conv_matmul_and_lstm_become_float_and_agree(
        tmp_path: Path, weight_type: QuantType) -> None:
    onnx.save(_float_model(), str(tmp_path / "float.onnx"))
    quantize_dynamic(str(tmp_path / "float.onnx"), str(tmp_path / "int8.onnx"),
                     weight_type=weight_type, op_types_to_quantize=["Conv", "MatMul", "LSTM"])
    quantized = onnx.load(str(tmp_path / "int8.onnx"))
    assert {"ConvInteger", "MatMulInteger", "DynamicQuantizeLSTM"} <= set(_op_types(quantized))
    x = np.random.default_rng(1).normal(0, 1, (1, 4, 20)).astype(np.float32)
    reference, int8_out = _run(_float_model(), x), _run(quantized, x)

    rewritten = onnx.load(str(tmp_path / "int8.onnx"))
    assert dequantize(rewritten) == 3
    onnx.checker.check_model(rewritten)
    assert not set(_op_types(rewritten)) & {*QUANTIZED_OPS, "DynamicQuantizeLinear"}
    float_out = _run(rewritten, x)
    # Same function as the int8 model, up to its activation rounding; and only
    # the weights' rounding separates it from the original float model.
    scale = float(np.abs(reference).max())
    assert np.abs(float_out - int8_out).max() < 0.05 * scale
    assert np.abs(float_out - reference).max() <= np.abs(int8_out - reference).max()


def _kokoro_style_conv(weight_zp: int) -> tuple[onnx.ModelProto, np.ndarray, np.ndarray]:
    """The chain Kokoro's int8 model has (an older quantizer's): the bias quantized
    at run time and added to ConvInteger's int32 output before Cast and Mul."""
    rng = np.random.default_rng(3)
    w_float = rng.normal(0, 0.2, (6, 3, 5)).astype(np.float32)
    bias = rng.normal(0, 0.1, (6,)).astype(np.float32)
    w_scale = np.float32((w_float.max() - w_float.min()) / 255)
    w_q = np.clip(np.round(w_float / w_scale) + weight_zp, 0, 255).astype(np.uint8)
    inits = [numpy_helper.from_array(a, n) for n, a in [
        ("w_q", w_q), ("w_zp", np.array(weight_zp, np.uint8)), ("w_scale", np.array(w_scale)),
        ("bias", bias), ("bias_shape", np.array([1, -1, 1], np.int64))]]
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["x"], ["x_q", "x_scale", "x_zp"]),
        helper.make_node("Mul", ["x_scale", "w_scale"], ["scale"]),
        helper.make_node("Div", ["bias", "scale"], ["bias_div"]),
        helper.make_node("Floor", ["bias_div"], ["bias_floor"]),
        helper.make_node("Cast", ["bias_floor"], ["bias_q"], to=TensorProto.INT32),
        helper.make_node("Reshape", ["bias_q", "bias_shape"], ["bias_r"]),
        helper.make_node("ConvInteger", ["x_q", "w_q", "x_zp", "w_zp"], ["acc"],
                         kernel_shape=[5], pads=[2, 2], dilations=[1], strides=[1], group=1),
        helper.make_node("Add", ["acc", "bias_r"], ["acc_b"]),
        helper.make_node("Cast", ["acc_b"], ["acc_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["acc_f", "scale"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "conv", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, "T"])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 6, "T"])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model, (w_q.astype(np.float32) - weight_zp) * w_scale, bias


@pytest.mark.parametrize("mode", ["float", "runtime"])
def test_kokoro_conv_chain_with_integer_bias_becomes_one_float_conv(mode: str) -> None:
    model, weights, bias = _kokoro_style_conv(weight_zp=131)
    x = np.random.default_rng(4).normal(0, 1, (1, 3, 40)).astype(np.float32)
    int8_out = _run(model, x)

    assert dequantize(model, mode=mode) == 1  # type: ignore[arg-type]
    onnx.checker.check_model(model)
    convs = [n for n in model.graph.node if n.op_type == "Conv"]
    assert len(convs) == 1 and len(convs[0].input) == 3  # the bias is the Conv's own
    assert "ConvInteger" not in _op_types(model)
    float_out = _run(model, x)
    # Exactly a float Conv with the dequantized weights and the float bias...
    padded = np.pad(x[0], ((0, 0), (2, 2)))
    expected = np.stack([np.einsum("oik,ik->o", weights, padded[:, t:t + 5])
                         for t in range(x.shape[2])], axis=1) + bias[:, None]
    np.testing.assert_allclose(float_out[0], expected, atol=1e-4)
    # ...which the int8 chain approximated.
    assert np.abs(float_out - int8_out).max() < 0.05 * np.abs(int8_out).max()


def test_a_model_without_quantized_operators_is_left_unchanged(tmp_path: Path) -> None:
    model = onnx.load(str(build_tiny_kokoro_model(tmp_path / "tiny.onnx")))
    before = model.SerializeToString()
    assert dequantize(model) == 0
    assert model.SerializeToString() == before


def test_a_chain_of_another_shape_is_left_quantized() -> None:
    """A ConvInteger whose output is also read elsewhere cannot be replaced safely."""
    model, _, _ = _kokoro_style_conv(weight_zp=128)
    model.graph.output.append(helper.make_tensor_value_info("acc", TensorProto.INT32, None))
    x = np.random.default_rng(5).normal(0, 1, (1, 3, 16)).astype(np.float32)
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    before = session.run(None, {"x": x})
    assert dequantize(model) == 0
    after = ort.InferenceSession(model.SerializeToString(),
                                 providers=["CPUExecutionProvider"]).run(None, {"x": x})
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
