"""Gain and the float <-> s16 conversion every integer format shares."""

from __future__ import annotations

import numpy as np
import pytest

from voicesmith.audio.pcm import (
    AudioFormatError,
    apply_volume,
    as_samples,
    float_to_s16,
    s16le_bytes,
    s16le_to_float,
)


def test_volume_is_a_linear_factor_with_clipping() -> None:
    x = np.array([0.0, 0.25, -0.5, 0.8], dtype=np.float32)
    original = x.copy()
    np.testing.assert_array_equal(apply_volume(x, 1.0), x)
    np.testing.assert_allclose(apply_volume(x, 0.5), x * 0.5)
    np.testing.assert_allclose(apply_volume(x, 2.0), [0.0, 0.5, -1.0, 1.0])
    np.testing.assert_array_equal(apply_volume(x, 0.0), np.zeros(4, dtype=np.float32))
    assert apply_volume(x, 1.5).dtype == np.float32
    np.testing.assert_array_equal(x, original)  # input untouched


@pytest.mark.parametrize("volume", [-0.1, 2.01, float("nan"), float("inf")])
def test_volume_out_of_range_is_a_422(volume: float) -> None:
    with pytest.raises(AudioFormatError, match="volume must be a number from 0 to 2"):
        apply_volume(np.zeros(3, dtype=np.float32), volume)


def test_float_to_s16_rounds_and_clips() -> None:
    x = np.array([0.0, 1.0, -1.0, 1.5, -1.5, 0.5 / 32767, -0.4 / 32767], dtype=np.float32)
    np.testing.assert_array_equal(float_to_s16(x), [0, 32767, -32767, 32767, -32767, 0, 0])
    assert s16le_bytes(np.array([1.0], dtype=np.float32)) == b"\xff\x7f"


def test_s16le_round_trip() -> None:
    x = np.linspace(-1, 1, 1001, dtype=np.float32)
    np.testing.assert_allclose(s16le_to_float(s16le_bytes(x)), x, atol=1 / 32767)


def test_as_samples_checks_shape_and_dtype() -> None:
    assert as_samples(np.zeros(4, dtype=np.float64)).dtype == np.float32
    assert as_samples(np.zeros((4, 1), dtype=np.float32)).shape == (4,)
    assert as_samples(np.zeros((4, 2), dtype=np.float32), channels=2).shape == (4, 2)
    with pytest.raises(ValueError):
        as_samples(np.zeros((4, 2), dtype=np.float32))
    with pytest.raises(TypeError):
        as_samples(np.zeros(4, dtype=np.int16))
