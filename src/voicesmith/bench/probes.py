"""Timing and memory helpers shared by the systems under test."""

from __future__ import annotations

import resource
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def median(values: Sequence[float]) -> float:
    return percentile(values, 50)


def timed(fn: Callable[[], float]) -> tuple[float, float]:
    """(wall seconds, fn's result) — fn returns the seconds of audio it produced."""
    t0 = time.perf_counter()
    audio_s = fn()
    return time.perf_counter() - t0, audio_s


def throughput(synthesize: Callable[[str], float], text: str, streams: int,
               per_stream: int) -> float:
    """Seconds of audio produced per wall second with ``streams`` concurrent clients.

    All streams are released together by a barrier, so thread start-up is not
    counted as concurrency.
    """
    barrier = threading.Barrier(streams)

    def client() -> float:
        barrier.wait()
        return sum(synthesize(text) for _ in range(per_stream))

    with ThreadPoolExecutor(streams) as pool:
        t0 = time.perf_counter()
        audio = sum(pool.map(lambda _: client(), range(streams)))
        wall = time.perf_counter() - t0
    return audio / wall


def _proc_status_kib(pid: int | str, field: str) -> float | None:
    """A ``/proc/<pid>/status`` memory field in KiB (Linux); None elsewhere."""
    path = Path(f"/proc/{pid}/status")
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        return None
    return None


@dataclass(frozen=True)
class Streamed:
    """One streamed synthesis: seconds to the first audio, to the last, and of audio."""

    first_s: float
    total_s: float
    audio_s: float


def own_peak_rss_mb() -> float:
    """This process's peak resident memory since it started (its exec).

    VmHWM where Linux has it: getrusage's ru_maxrss survives execve, so a child
    started by a big parent would report the parent's size at the fork.
    """
    kib = _proc_status_kib("self", "VmHWM")
    if kib is not None:
        return kib / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def process_peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of another process (VmHWM), Linux only."""
    kib = _proc_status_kib(pid, "VmHWM")
    return None if kib is None else kib / 1024
