"""The streaming resampler: chunking must not change the result."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.audio.helpers import dominant_frequency, irregular_chunks, tone
from voicesmith.audio.resample import StreamResampler, resample


def run_stream(x: np.ndarray, out_rate: int) -> np.ndarray:
    r = StreamResampler(24_000, out_rate)
    parts = [r.process(chunk) for chunk in irregular_chunks(x)]
    parts.append(r.flush())
    return np.concatenate(parts)


@pytest.mark.parametrize("out_rate", [8000, 16000, 22050, 44100, 48000])
def test_streamed_length_and_pitch(out_rate: int) -> None:
    x = tone(1.2)
    y = run_stream(x, out_rate)
    assert y.dtype == np.float32
    assert len(y) == round(len(x) * out_rate / 24_000)
    assert dominant_frequency(y, out_rate) == pytest.approx(440, abs=2)


def test_chunking_does_not_change_the_output() -> None:
    x = tone(0.7)
    r = StreamResampler(24_000, 8000)
    whole = np.concatenate([r.process(x), r.flush()])
    np.testing.assert_allclose(run_stream(x, 8000), whole, atol=1e-6)
    # and it agrees with one-shot resampling away from the edges
    np.testing.assert_allclose(resample(x, 24_000, 8000)[200:-200], whole[200:-200], atol=1e-3)


def test_identity_when_rates_match() -> None:
    r = StreamResampler(24_000, 24_000)
    x = tone(0.1)
    assert r.identity
    np.testing.assert_array_equal(r.process(x), x)
    assert r.flush().shape == (0,)


def test_flush_ends_the_stream() -> None:
    r = StreamResampler(24_000, 16_000)
    r.process(tone(0.1))
    r.flush()
    assert r.flush().shape == (0,)
    with pytest.raises(RuntimeError):
        r.process(tone(0.1))
