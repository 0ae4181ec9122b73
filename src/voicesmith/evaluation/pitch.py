"""Pitch: fundamental frequency statistics with Praat (praat-parselmouth).

Praat's autocorrelation tracker was chosen over pyworld's harvest, which
misreads high voices, and over librosa's pyin, which is far slower on CPU.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.evaluation._common import as_mono_float, check_rate, require

__all__ = ["HIGH_PASS_HZ", "F0Stats", "f0_stats", "median_f0"]

# Mains hum (50/60 Hz) in a recording reads as a steady, confidently "voiced"
# 60 Hz pitch and drags the median of a voice down; the lowest speaking voices
# sit around 75-80 Hz, so a 70 Hz high-pass removes the hum and keeps them.
HIGH_PASS_HZ = 70.0
_HIGH_PASS_SMOOTHING_HZ = 10.0

# First pass: a range wide enough for any adult or child speaking voice.
_WIDE_FLOOR_HZ = 60.0
_WIDE_CEILING_HZ = 700.0
_TIME_STEP_S = 0.01


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


def _voiced_f0(sound: object, floor_hz: float, ceiling_hz: float) -> NDArray[np.float64]:
    pitch = sound.to_pitch_ac(  # type: ignore[attr-defined]
        time_step=_TIME_STEP_S, pitch_floor=floor_hz, pitch_ceiling=ceiling_hz
    )
    f0 = np.asarray(pitch.selected_array["frequency"], dtype=np.float64)
    return f0[f0 > 0]  # Praat marks unvoiced frames with 0


def voiced_f0(samples: ArrayLike, sample_rate: int) -> NDArray[np.float64]:
    """F0 in Hz of each voiced 10 ms frame (unvoiced frames dropped).

    Two passes, after De Looze & Hirst: a wide first pass finds the speaker's
    register, then the range is narrowed to 0.75 * q25 .. 2 * q75 of it. That
    removes most octave jumps (creak read as half pitch, a harmonic read as
    double) that a fixed wide range lets through.
    """
    parselmouth = require("parselmouth", "praat-parselmouth", purpose="F0 estimation")
    audio = as_mono_float(samples)
    rate = check_rate(sample_rate)
    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=float(rate))
    # Praat's FFT-domain Hann band filter; upper edge 0 means "up to Nyquist".
    sound = parselmouth.praat.call(
        sound, "Filter (pass Hann band)", HIGH_PASS_HZ, 0.0, _HIGH_PASS_SMOOTHING_HZ
    )
    f0 = _voiced_f0(sound, _WIDE_FLOOR_HZ, _WIDE_CEILING_HZ)
    if f0.size < 5:
        return f0
    q25, q75 = np.percentile(f0, [25, 75])
    floor = max(_WIDE_FLOOR_HZ, 0.75 * q25)
    ceiling = min(_WIDE_CEILING_HZ * 1.5, 2.0 * q75)
    if ceiling <= floor * 1.5:  # degenerate register estimate: keep the wide pass
        return f0
    narrowed = _voiced_f0(sound, floor, ceiling)
    return narrowed if narrowed.size else f0


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
