"""Streaming sample-rate conversion with libsoxr.

The engine speaks at 24 kHz; clients ask for 8..48 kHz. A streamed response is
resampled chunk by chunk through one ``soxr.ResampleStream`` per request, so
there are no clicks or phase jumps at chunk boundaries (resampling each chunk
on its own would restart the filter every time). soxr holds back a few
milliseconds of filter delay per call; ``flush`` releases it at the end, and
the total output length is ``round(n_in * out_rate / in_rate)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import soxr  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import as_samples

# HQ is soxr's 20-bit-precision default: far beyond what 16-bit output or a
# lossy codec can show, at about half the CPU of VHQ.
Quality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]
DEFAULT_QUALITY: Quality = "HQ"


class StreamResampler:
    """Chunk in, chunk out; ``flush()`` once at the end. Identity when the rates match."""

    def __init__(
        self, in_rate: int, out_rate: int, *, channels: int = 1, quality: Quality = DEFAULT_QUALITY
    ) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError(f"sample rates must be positive, got {in_rate} -> {out_rate}")
        self.in_rate = in_rate
        self.out_rate = out_rate
        self.channels = channels
        self._stream = (
            None if in_rate == out_rate
            else soxr.ResampleStream(in_rate, out_rate, channels, dtype="float32", quality=quality)
        )
        self._flushed = False

    @property
    def identity(self) -> bool:
        return self._stream is None

    def process(self, samples: ArrayLike) -> NDArray[np.float32]:
        """Resample the next block; returns what is ready (possibly empty)."""
        if self._flushed:
            raise RuntimeError("the resampler was already flushed")
        block = as_samples(samples, self.channels)
        if self._stream is None or block.shape[0] == 0:
            return block if self._stream is None else self._empty()
        return self._stream.resample_chunk(block, last=False)

    def flush(self) -> NDArray[np.float32]:
        """The samples still held in the filter; the resampler cannot be used afterwards."""
        if self._flushed:
            return self._empty()
        self._flushed = True
        if self._stream is None:
            return self._empty()
        return self._stream.resample_chunk(self._empty(), last=True)

    def _empty(self) -> NDArray[np.float32]:
        shape = (0,) if self.channels == 1 else (0, self.channels)
        return np.zeros(shape, dtype=np.float32)


def resample(
    samples: ArrayLike, in_rate: int, out_rate: int, *, quality: Quality = DEFAULT_QUALITY
) -> NDArray[np.float32]:
    """One-shot resampling of a whole signal (same filter as the stream)."""
    arr = np.asarray(samples, dtype=np.float32)
    if in_rate == out_rate:
        return arr
    return soxr.resample(arr, in_rate, out_rate, quality=quality).astype(np.float32, copy=False)
