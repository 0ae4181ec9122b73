"""Shared fixtures for the evaluation-measure tests: real speech shipped in data/.

Helpers are handed out as fixtures rather than imported from this file, so the
tests work under any pytest import mode and beside other conftest.py files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

DATA = Path(__file__).parent / "data"

Clip = tuple[NDArray[np.float32], int]


def load_clip(utterance: str) -> Clip:
    samples, rate = sf.read(DATA / f"{utterance}.flac", dtype="float32")
    return samples, int(rate)


@pytest.fixture(scope="session")
def clip() -> Callable[[str], Clip]:
    """Loader for a fixture utterance by LibriSpeech id, e.g. clip("1688-142285-0002")."""
    return load_clip


@pytest.fixture(scope="session")
def transcripts() -> dict[str, str]:
    """The corpus's reference transcripts for the utterances scored for WER."""
    out: dict[str, str] = {}
    for line in (DATA / "transcripts.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            utterance, text = line.split(" ", 1)
            out[utterance] = text
    return out


@pytest.fixture(scope="session")
def add_noise() -> Callable[..., NDArray[np.float32]]:
    return noisy


@pytest.fixture(scope="session")
def make_tone() -> Callable[..., NDArray[np.float32]]:
    return tone


def noisy(samples: NDArray[np.float32], snr_db: float, seed: int = 0) -> NDArray[np.float32]:
    """``samples`` plus white noise at ``snr_db`` relative to the signal's RMS."""
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    noise = np.random.default_rng(seed).standard_normal(samples.size) * rms / 10 ** (snr_db / 20)
    return (samples + noise).astype(np.float32)


def tone(
    freq_hz: float, seconds: float, rate: int = 16_000, amp: float = 0.3
) -> NDArray[np.float32]:
    t = np.arange(int(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq_hz * t)).astype(np.float32)
