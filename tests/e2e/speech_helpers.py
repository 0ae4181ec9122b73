"""Shared by the speech end-to-end tests: decode what the server sent."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tests.unit.audio.helpers import decode
from voicesmith.audio.formats import parse_format


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
