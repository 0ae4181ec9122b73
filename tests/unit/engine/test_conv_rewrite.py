"""The convolution rewrite gives the same integers, for every shape Kokoro's convolutions have."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from tests.support.conv_model import ConvSpec, conv_stack_model
from voicesmith.engine.conv_rewrite import rewrite_conv_integer


def _run(model: onnx.ModelProto, x: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return [np.asarray(o) for o in session.run(None, {"x": x})]


def _ops(model: onnx.ModelProto) -> list[str]:
    return [n.op_type for n in model.graph.node]


# The kernel sizes, dilations and paddings of the real model's convolutions.
KOKORO_SHAPES = [
    ConvSpec(24, 1),
    ConvSpec(24, 3, pads=(1, 1)),
    ConvSpec(16, 5, pads=(2, 2)),
    ConvSpec(16, 7, dilation=3, pads=(9, 9)),
    ConvSpec(32, 11, dilation=5, pads=(25, 25)),
    ConvSpec(8, 3, dilation=3, pads=(3, 3)),
]


@pytest.mark.parametrize("spec", KOKORO_SHAPES, ids=lambda s: f"k{s.kernel}d{s.dilation}")
@pytest.mark.parametrize("frames", [1, 7, 300])
def test_same_output_bytes(spec: ConvSpec, frames: int) -> None:
    original = conv_stack_model([spec], cin=12)
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(original)
    assert rewrite_conv_integer(rewritten) == 1
    assert "ConvInteger" not in _ops(rewritten) and "MatMulInteger" in _ops(rewritten)
    onnx.checker.check_model(rewritten)
    x = np.random.default_rng(frames).normal(0.0, 3.0, (1, 12, frames)).astype(np.float32)
    for before, after in zip(_run(original, x), _run(rewritten, x), strict=True):
        assert np.abs(before).max() > 0  # real sums, not a trivially equal nothing
        assert before.shape == after.shape and before.tobytes() == after.tobytes()


def test_a_chain_with_asymmetric_padding_and_a_shared_input() -> None:
    specs = [ConvSpec(16, 3, pads=(2, 0)), ConvSpec(16, 5, dilation=2, pads=(4, 4)),
             ConvSpec(8, 1)]
    original = conv_stack_model(specs, cin=8, share_first_input=True)
    rewritten = onnx.ModelProto()
    rewritten.CopyFrom(original)
    assert rewrite_conv_integer(rewritten) == 4
    # the input read by two convolutions is turned into int8 once
    assert _ops(rewritten).count("BitwiseXor") == 2 * 3  # data and zero point, 3 inputs
    x = np.random.default_rng(0).normal(0.0, 1.0, (1, 8, 50)).astype(np.float32)
    for before, after in zip(_run(original, x), _run(rewritten, x), strict=True):
        assert before.tobytes() == after.tobytes()
    # the uint8 weights the rewrite replaced are gone, not stored twice
    names = {t.name for t in rewritten.graph.initializer}
    assert not any(name.endswith("_w") for name in names)


def test_what_it_cannot_rewrite_exactly_is_left_alone() -> None:
    strided = conv_stack_model([ConvSpec(8, 3, pads=(1, 1), stride=2)], cin=4)
    assert rewrite_conv_integer(strided) == 0 and "ConvInteger" in _ops(strided)
    old_opset = conv_stack_model([ConvSpec(8, 3, pads=(1, 1))], cin=4, opset=17)
    assert rewrite_conv_integer(old_opset) == 0 and "ConvInteger" in _ops(old_opset)
