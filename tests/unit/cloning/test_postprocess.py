"""The synthesis-time WORLD transform: parameters, identity, speed."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import soundfile as sf
import soxr

from tests.unit.cloning.conftest import SPEECH
from voicesmith.cloning.postprocess import (
    apply_postprocess,
    make_params,
    validate_params,
)

pytest.importorskip("pyworld")


def _speech() -> np.ndarray:
    samples, rate = sf.read(SPEECH, dtype="float32")
    return soxr.resample(samples[: 6 * rate], rate, 24_000).astype(np.float32)


def test_identity_is_none_and_passes_audio_through() -> None:
    assert make_params(1.0, 1.0) is None
    x = _speech()
    assert apply_postprocess(x, None) is x


def test_params_are_json_and_bounded() -> None:
    params = make_params(3.0, 0.1)  # clipped to the allowed ranges
    assert params is not None
    assert validate_params(json.loads(json.dumps(params))) == (1.45, 0.8)
    with pytest.raises(ValueError):
        validate_params({"kind": "other", "version": 1, "f0_ratio": 1.0, "warp": 1.0})
    with pytest.raises(ValueError):
        validate_params({**params, "f0_ratio": 9.0})


def test_transform_is_fast_and_keeps_length_and_level() -> None:
    x = _speech()
    params = make_params(1.2, 1.05)
    apply_postprocess(x[:24_000], params)  # warm-up
    start = time.perf_counter()
    y = apply_postprocess(x, params)
    rtf = (time.perf_counter() - start) / (x.size / 24_000)
    assert y.shape == x.shape and y.dtype == np.float32
    assert np.isfinite(y).all() and np.max(np.abs(y)) <= 1.0
    rms_x, rms_y = float(np.sqrt(np.mean(x**2))), float(np.sqrt(np.mean(y**2)))
    assert abs(rms_y / rms_x - 1.0) < 0.1
    assert rtf < 0.25, rtf  # ~0.04 measured; Kokoro itself is ~0.4-0.5


def test_tiny_chunks_are_left_alone() -> None:
    x = np.full(100, 0.1, np.float32)
    assert apply_postprocess(x, make_params(1.2, 1.0)) is x
