"""Pitch: fundamental frequency statistics with Praat (praat-parselmouth).

The tracker itself is the server's (``audio.pitch``): Praat's autocorrelation
pitch in two passes, chosen over pyworld's harvest and librosa's pyin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import as_mono_float
from voicesmith.audio.pitch import HIGH_PASS_HZ
from voicesmith.audio.pitch import voiced_f0 as _voiced_f0
from voicesmith.evaluation._common import check_rate, require

__all__ = ["HIGH_PASS_HZ", "F0Stats", "f0_stats", "median_f0"]


@dataclass(frozen=True)
class F0Stats:
    """F0 over the voiced frames of an utterance.

    ``range_semitones`` is the 10th-90th percentile span, 12 * log2(p90 / p10):
    a robust measure of how much the voice moves (flat read speech ~4-6,
    lively speech 8+). All fields are NaN when nothing voiced was found.
    """

    median_hz: float
    p10_hz: float
    p90_hz: float
    range_semitones: float

    @property
    def voiced(self) -> bool:
        return not math.isnan(self.median_hz)


_UNVOICED = F0Stats(math.nan, math.nan, math.nan, math.nan)


def voiced_f0(samples: ArrayLike, sample_rate: int) -> NDArray[np.float64]:
    """F0 in Hz of each voiced 10 ms frame (unvoiced frames dropped): the
    server's two-pass tracker (``audio.pitch``), after checking the input."""
    require("parselmouth", "praat-parselmouth", purpose="F0 estimation")
    return _voiced_f0(as_mono_float(samples), check_rate(sample_rate))


def f0_stats(samples: ArrayLike, sample_rate: int) -> F0Stats:
    """Median, 10th and 90th percentile F0 (Hz) and the p10-p90 range in semitones."""
    f0 = voiced_f0(samples, sample_rate)
    if f0.size == 0:
        return _UNVOICED
    p10, median, p90 = (float(v) for v in np.percentile(f0, [10, 50, 90]))
    return F0Stats(
        median_hz=median,
        p10_hz=p10,
        p90_hz=p90,
        range_semitones=12.0 * math.log2(p90 / p10),
    )


def median_f0(samples: ArrayLike, sample_rate: int) -> float:
    """Median F0 in Hz over voiced frames (NaN if nothing is voiced).

    Typical speaking medians: adult men 85-155 Hz, adult women 165-255 Hz;
    < 165 Hz is a usable male/female split.
    """
    return f0_stats(samples, sample_rate).median_hz
