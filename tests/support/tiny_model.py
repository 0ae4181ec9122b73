"""A tiny stand-in for the Kokoro ONNX model, so pipeline tests take milliseconds.

It has the real model's interface (``tokens`` int64 [1, n], ``style`` float32
[1, 256], ``speed`` float32 [1] in; ``audio`` float32 [samples] out), and
behaves enough like it for the pipeline to be checked: the output lasts
``floor(n * SAMPLES_PER_TOKEN / speed)`` samples (n counts the two pad
tokens), and is a sine whose frequency depends on the style vector, so
different voices give different audio.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SAMPLES_PER_TOKEN = 600
SAMPLE_RATE = 24_000
AMPLITUDE = 0.5
# The broken model reads the token at this position, which no test input has.
_OUT_OF_RANGE = 7919


def tiny_frequency(style: np.ndarray) -> float:
    """The sine frequency (Hz) the tiny model plays for a [1, 256] style."""
    return 110.0 + 330.0 / (1.0 + math.exp(-float(np.sum(style, dtype=np.float64))))


def tiny_samples(n_tokens: int, speed: float = 1.0) -> int:
    """Raw output length for ``n_tokens`` phonemes (pads added by the engine)."""
    return math.floor((n_tokens + 2) * SAMPLES_PER_TOKEN / speed)


def _const(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name))


def build_tiny_kokoro_model(path: Path, *, pad_samples: int = 0, broken: bool = False) -> Path:
    """Write the tiny model to ``path`` and return it.

    ``pad_samples`` adds that much silence at both ends of the output (as the
    real model leaves), to exercise trimming. ``broken`` makes every run fail
    inside onnxruntime, to exercise error handling.
    """
    f32 = lambda x: np.array(x, dtype=np.float32)
    nodes = [
        _const("one_idx", np.array(1, dtype=np.int64)),
        _const("per_token", f32([SAMPLES_PER_TOKEN])),
        _const("zero_f", f32(0.0)),
        _const("one_f", f32(1.0)),
        _const("axis0", np.array([0], dtype=np.int64)),
        _const("base_hz", f32(110.0)),
        _const("span_hz", f32(330.0)),
        _const("rad_per_sample", f32(2 * math.pi / SAMPLE_RATE)),
        _const("amplitude", f32(AMPLITUDE)),
    ]
    nodes += [
        # length = floor(n * per_token / speed), as a scalar for Range
        helper.make_node("Shape", ["tokens"], ["shape"]),
        helper.make_node("Gather", ["shape", "one_idx"], ["n"], axis=0),
        helper.make_node("Cast", ["n"], ["n_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["n_f", "per_token"], ["raw"]),
        helper.make_node("Div", ["raw", "speed"], ["scaled"]),
    ]
    scaled = "scaled"
    if broken:
        # A data-dependent out-of-range read: fails at run time, and cannot be
        # folded away by onnxruntime's graph optimizer the way a shape check is.
        nodes += [
            _const("bad_index", np.array([_OUT_OF_RANGE], dtype=np.int64)),
            helper.make_node("Gather", ["tokens", "bad_index"], ["bad"], axis=1),
            helper.make_node("Cast", ["bad"], ["bad_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", ["bad_f", "zero_f"], ["nothing"]),
            helper.make_node("Add", ["scaled", "nothing"], ["scaled_b"]),
        ]
        scaled = "scaled_b"
    nodes += [
        helper.make_node("Floor", [scaled], ["len_1"]),
        helper.make_node("Squeeze", ["len_1", "axis0"], ["length"]),
        helper.make_node("Range", ["zero_f", "length", "one_f"], ["t"]),
        # frequency = 110 + 330 * sigmoid(sum(style))
        helper.make_node("ReduceSum", ["style"], ["style_sum"], keepdims=0),
        helper.make_node("Sigmoid", ["style_sum"], ["sig"]),
        helper.make_node("Mul", ["sig", "span_hz"], ["span"]),
        helper.make_node("Add", ["span", "base_hz"], ["freq"]),
        helper.make_node("Mul", ["freq", "rad_per_sample"], ["omega"]),
        helper.make_node("Mul", ["t", "omega"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["wave"]),
        helper.make_node("Mul", ["wave", "amplitude"], ["audio" if not pad_samples else "core"]),
    ]
    if pad_samples:
        nodes.append(_const("pads", np.array([pad_samples, pad_samples], dtype=np.int64)))
        nodes.append(helper.make_node("Pad", ["core", "pads"], ["audio"], mode="constant"))
    graph = helper.make_graph(
        nodes,
        "tiny_kokoro",
        [
            helper.make_tensor_value_info("tokens", TensorProto.INT64, [1, "sequence_length"]),
            helper.make_tensor_value_info("style", TensorProto.FLOAT, [1, 256]),
            helper.make_tensor_value_info("speed", TensorProto.FLOAT, [1]),
        ],
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["audio_length"])],
    )
    # An old IR and opset, so any onnxruntime the project allows can load it.
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def tiny_engine(folder: Path, voice_names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """A ``KokoroEngine`` on the tiny model whose stock voices are ``voice_names``.

    Kokoro's naming gives each voice its language and gender (``af_`` American
    female, ``bm_`` British male, ...); the packs are constants with distinct
    sums, so the tiny model's sine differs per voice.
    """
    from voicesmith.engine.base import PACK_ROWS, STYLE_DIM, StockVoice
    from voicesmith.engine.kokoro import KokoroEngine
    from voicesmith.engine.languages import BY_PREFIX

    model = build_tiny_kokoro_model(folder / "tiny.onnx")
    middle = len(voice_names) // 2
    voices = {}
    for i, name in enumerate(voice_names):
        pack = np.full((PACK_ROWS, STYLE_DIM), (i - middle) * 0.004, dtype=np.float32)
        voices[name] = StockVoice(name, BY_PREFIX[name[0]],
                                  "female" if name[1] == "f" else "male", pack)
    return KokoroEngine(model, voices, intra_op_threads=1)


def spectral_embedding(audio: np.ndarray, rate: int) -> np.ndarray:
    """A stand-in speaker encoder for the tiny model: the spectrum's coarse shape
    (the tiny model's voices differ only in pitch), unit length."""
    spectrum = np.abs(np.fft.rfft(audio[:8192], 8192))[:512].reshape(64, 8).sum(axis=1)
    return (spectrum / np.linalg.norm(spectrum)).astype(np.float32)
