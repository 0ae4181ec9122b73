"""Pitch-preserving tempo change (FFmpeg's atempo, through PyAV).

The engine's own speed control covers 0.5x to 2x; OpenAI clients may ask for
0.25x to 4x. Beyond the engine's range the rest of the factor is applied to
the synthesized audio, chunk by chunk, with atempo (WSOLA), which keeps the
pitch: a fast voice does not turn into a chipmunk.
"""

from __future__ import annotations

import av
import numpy as np
from av.filter import Graph
from numpy.typing import NDArray

MIN_FACTOR, MAX_FACTOR = 0.5, 100.0


def change_tempo(samples: NDArray[np.float32], sample_rate: int,
                 factor: float) -> NDArray[np.float32]:
    """``samples`` (mono float32) played ``factor`` times as fast, same pitch."""
    if factor == 1.0 or samples.size == 0:
        return samples
    if not MIN_FACTOR <= factor <= MAX_FACTOR:
        raise ValueError(f"tempo factor {factor} outside [{MIN_FACTOR}, {MAX_FACTOR}]")
    graph = Graph()
    source = graph.add_abuffer(format="flt", sample_rate=sample_rate, layout="mono")
    atempo = graph.add("atempo", f"{factor:.6f}")
    sink = graph.add("abuffersink")
    source.link_to(atempo)
    atempo.link_to(sink)
    graph.configure()
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(samples, dtype=np.float32)[np.newaxis, :], format="flt",
        layout="mono")
    frame.sample_rate = sample_rate
    frame.pts = 0
    graph.push(frame)
    graph.push(None)
    parts: list[NDArray[np.float32]] = []
    while True:
        try:
            out = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            break
        parts.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)
