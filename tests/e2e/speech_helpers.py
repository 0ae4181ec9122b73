"""Shared by the speech end-to-end tests: decode what the server sent."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tests.unit.audio.helpers import decode
from voicesmith.audio.formats import parse_format

TEXT = "The quick brown fox jumps over the lazy dog near the river bank."
WORDS = ("quick", "brown", "fox", "jumps", "lazy", "dog", "river")


def heard(samples: np.ndarray, rate: int) -> list[str]:
    """The words the offline ASR hears (needs the test extra's faster-whisper)."""
    from voicesmith.evaluation.measures import normalize_text, transcribe

    return normalize_text(transcribe(samples, rate)).split()


def assert_says_the_words(samples: np.ndarray, rate: int) -> None:
    """``TEXT`` was spoken: at most one of its content words is not heard."""
    words = heard(samples, rate)
    missing = [w for w in WORDS if w not in words]
    assert len(missing) <= 1, (missing, words)


def decode_as(data: bytes, fmt: str, rate: int) -> tuple[NDArray[np.float32], int]:
    samples, sr = decode(data, parse_format(fmt), rate)
    return np.asarray(samples, dtype=np.float32).reshape(-1), sr


def ws_audio(events: Iterable[Any]) -> tuple[bytes, list[Any]]:
    """Concatenate the audio of SDK WebSocket events up to the `final` frame."""
    audio = bytearray()
    seen: list[Any] = []
    for event in events:
        seen.append(event)
        if event.type == "error":
            raise AssertionError(f"error frame: {event.error}")
        if event.type == "audio_chunk" and event.audio:
            audio += base64.b64decode(event.audio)
        if event.type == "final":
            break
    return bytes(audio), seen
