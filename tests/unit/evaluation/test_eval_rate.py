"""Speaking rate: energy VAD and syllables per second of speech. numpy only."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import soxr
from numpy.typing import NDArray

from voicesmith.evaluation.measures import speaking_rate, speech_seconds

Clip = tuple[NDArray[np.float32], int]
UTTERANCE = "1688-142285-0002"


def test_rate_of_read_speech_is_plausible(
    clip: Callable[[str], Clip], transcripts: dict[str, str]
) -> None:
    samples, rate = clip(UTTERANCE)
    # 10 syllables in ~2.6 s of speech: measured 3.8 syl/s.
    assert 2.5 < speaking_rate(samples, rate, transcripts[UTTERANCE]) < 7.0


def test_time_compressed_speech_is_faster(
    clip: Callable[[str], Clip], transcripts: dict[str, str]
) -> None:
    samples, rate = clip(UTTERANCE)
    text = transcripts[UTTERANCE]
    # Resample to 1/1.5 the samples and play at the old rate: 1.5x tempo
    # (and pitch, which the rate measure does not care about).
    faster = soxr.resample(samples, rate, rate / 1.5).astype(np.float32)
    original = speaking_rate(samples, rate, text)
    compressed = speaking_rate(faster, rate, text)
    # Measured ratio 1.39: pause-filling and frame edges do not scale with tempo.
    assert compressed > 1.25 * original


def test_pauses_and_padding_are_trimmed(clip: Callable[[str], Clip]) -> None:
    # A clean recording (noise floor about -80 dB, like TTS output) with half a
    # second of near-silence added before, after and in the middle.
    samples, rate = clip("2414-128291-0000")
    gap = (np.random.default_rng(0).standard_normal(rate // 2) * 1e-4).astype(np.float32)
    middle = samples.size // 2
    padded = np.concatenate([gap, samples[:middle], gap, samples[middle:], gap])
    assert speech_seconds(padded, rate) == pytest.approx(speech_seconds(samples, rate), abs=0.05)
    assert speech_seconds(samples, rate) < 0.8 * samples.size / rate  # its own pauses go too


def test_speech_seconds_of_a_burst(make_tone: Callable[..., NDArray[np.float32]]) -> None:
    rate = 16_000
    silence = np.zeros(rate, dtype=np.float32)
    burst = np.concatenate([silence, make_tone(200.0, 1.0, rate), silence])
    assert speech_seconds(burst, rate) == pytest.approx(1.0, abs=0.05)


def test_no_speech_raises() -> None:
    with pytest.raises(ValueError, match="no speech"):
        speaking_rate(np.zeros(16_000, dtype=np.float32), 16_000, "hello there")
    with pytest.raises(ValueError, match="no words"):
        speaking_rate(np.ones(16_000, dtype=np.float32), 16_000, "...")
