"""G.711 against the reference implementation CPython shipped as ``audioop``.

``audioop`` is deprecated (gone in 3.13), so it is only ever the yardstick here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from voicesmith.audio.g711 import (
    alaw_to_s16,
    float_to_alaw,
    float_to_ulaw,
    s16_to_alaw,
    s16_to_ulaw,
    ulaw_to_s16,
)
from voicesmith.audio.pcm import float_to_s16

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    audioop = pytest.importorskip("audioop")

EVERY_S16 = np.arange(-32768, 32768, dtype=np.int32).astype(np.int16)
EVERY_CODE = bytes(range(256))


def test_ulaw_encoding_is_bit_exact_for_every_sample_value() -> None:
    assert s16_to_ulaw(EVERY_S16) == audioop.lin2ulaw(EVERY_S16.astype("<i2").tobytes(), 2)


def test_alaw_encoding_is_bit_exact_for_every_sample_value() -> None:
    assert s16_to_alaw(EVERY_S16) == audioop.lin2alaw(EVERY_S16.astype("<i2").tobytes(), 2)


def test_decoding_matches_for_every_code() -> None:
    ulaw = np.frombuffer(audioop.ulaw2lin(EVERY_CODE, 2), dtype="<i2")
    alaw = np.frombuffer(audioop.alaw2lin(EVERY_CODE, 2), dtype="<i2")
    np.testing.assert_array_equal(ulaw_to_s16(EVERY_CODE), ulaw)
    np.testing.assert_array_equal(alaw_to_s16(EVERY_CODE), alaw)


def test_float_path_goes_through_the_shared_s16_conversion() -> None:
    rng = np.random.default_rng(0)
    samples = rng.uniform(-1.2, 1.2, 10_000).astype(np.float32)  # out of range clips
    pcm = float_to_s16(samples).astype("<i2").tobytes()
    assert float_to_ulaw(samples) == audioop.lin2ulaw(pcm, 2)
    assert float_to_alaw(samples) == audioop.lin2alaw(pcm, 2)


def test_round_trip_error_is_within_the_companding_step() -> None:
    # Away from zero, μ-law/A-law keep ~12 bits of relative precision: error < 1/16 of the value
    values = np.array([100, -100, 1000, -1000, 12345, -12345, 32000, -32000], dtype=np.int16)
    for encode, decode in ((s16_to_ulaw, ulaw_to_s16), (s16_to_alaw, alaw_to_s16)):
        back = decode(encode(values)).astype(np.int32)
        assert np.all(np.abs(back - values) <= np.abs(values.astype(np.int32)) / 16 + 8)
