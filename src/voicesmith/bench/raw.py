"""System (a): kokoro-onnx used directly as a library, the baseline every ratio is to.

kokoro-onnx wants one numpy archive of all voices, each (510, 1, 256); the
installed assets are kokoro-js packs (raw float32 ``<name>.bin``), so the
archive is built from them in a temporary folder.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.bench.probes import Streamed
from voicesmith.engine.base import PACK_ROWS, SAMPLE_RATE, STYLE_DIM, StockVoice

LANG = "en-us"


def write_voices_archive(voices: Mapping[str, StockVoice], path: Path) -> Path:
    """The voices in kokoro-onnx's layout: ``np.load(path)[name]`` is (510, 1, 256)."""
    arrays: dict[str, Any] = {name: v.pack.reshape(PACK_ROWS, 1, STYLE_DIM)
                              for name, v in voices.items()}
    with path.open("wb") as fh:
        np.savez(fh, **arrays)
    return path


class RawKokoro:
    """The same texts through ``kokoro_onnx.Kokoro.create`` / ``create_stream``."""

    name = "raw kokoro-onnx"

    def __init__(self, kokoro: Any, voice: str | NDArray[np.float32], speed: float = 1.0) -> None:
        self._kokoro = kokoro
        self.voice = voice
        self.speed = speed

    def with_voice(self, pack: NDArray[np.float32], speed: float) -> RawKokoro:
        """A (510, 256) pack of our own (e.g. a design's), in kokoro-onnx's shape."""
        return RawKokoro(self._kokoro, pack.reshape(PACK_ROWS, 1, STYLE_DIM), speed)

    def synthesize(self, text: str) -> float:
        audio, rate = self._kokoro.create(text, voice=self.voice, speed=self.speed, lang=LANG)
        return len(audio) / rate

    def first_audio(self, text: str) -> Streamed:
        """kokoro-onnx's own streaming (create_stream): first chunk, end, audio seconds."""

        async def consume() -> Streamed:
            t0 = time.perf_counter()
            first, samples = None, 0
            async for audio, _rate in self._kokoro.create_stream(text, voice=self.voice,
                                                                 speed=self.speed, lang=LANG):
                if first is None:
                    first = time.perf_counter() - t0
                samples += len(audio)
            return Streamed(first or float("nan"), time.perf_counter() - t0,
                            samples / SAMPLE_RATE)

        return asyncio.run(consume())


@contextmanager
def raw_kokoro(model: Path, voices: Mapping[str, StockVoice], voice: str) -> Iterator[RawKokoro]:
    from kokoro_onnx import Kokoro

    with tempfile.TemporaryDirectory(prefix="voicesmith-bench-") as tmp:
        archive = write_voices_archive(voices, Path(tmp) / "voices.npz")
        yield RawKokoro(Kokoro(str(model), str(archive)), voice)
