"""F0 tracking shared by the server and the measures: Praat's autocorrelation
pitch (parselmouth), two passes.

Upload capture reads a recording's register with it (the gender gate and the
pitch its transform matches), and ``evaluation.pitch`` measures speech with
the same code, so a capture and its evaluation agree on what a voice's F0 is.
Praat's tracker was chosen over pyworld's harvest, which misreads high
voices, and over librosa's pyin, which is far slower on CPU.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

# Mains hum (50/60 Hz) in a recording reads as a steady, confidently "voiced"
# 60 Hz pitch and drags the median of a voice down; the lowest speaking voices
# sit around 75-80 Hz, so a 70 Hz high-pass removes the hum and keeps them.
HIGH_PASS_HZ = 70.0
_HIGH_PASS_SMOOTHING_HZ = 10.0

# First pass: a range wide enough for any adult or child speaking voice.
WIDE_FLOOR_HZ = 60.0
WIDE_CEILING_HZ = 700.0
TIME_STEP_S = 0.01


def _voiced(sound: Any, floor_hz: float, ceiling_hz: float) -> NDArray[np.float64]:
    pitch = sound.to_pitch_ac(time_step=TIME_STEP_S, pitch_floor=floor_hz,
                              pitch_ceiling=ceiling_hz)
    f0 = np.asarray(pitch.selected_array["frequency"], dtype=np.float64)
    return f0[f0 > 0]  # Praat marks unvoiced frames with 0


def voiced_f0(audio: NDArray[np.floating[Any]], rate: int) -> NDArray[np.float64]:
    """F0 in Hz of each voiced 10 ms frame of mono float audio (unvoiced dropped).

    Two passes, after De Looze & Hirst: a wide first pass finds the speaker's
    register, then the range is narrowed to 0.75 * q25 .. 2 * q75 of it. That
    removes most octave jumps (creak read as half pitch, a harmonic read as
    double) that a fixed wide range lets through.
    """
    import parselmouth

    sound = parselmouth.Sound(np.asarray(audio, dtype=np.float64), sampling_frequency=float(rate))
    # Praat's FFT-domain Hann band filter; upper edge 0 means "up to Nyquist".
    sound = parselmouth.praat.call(
        sound, "Filter (pass Hann band)", HIGH_PASS_HZ, 0.0, _HIGH_PASS_SMOOTHING_HZ)
    f0 = _voiced(sound, WIDE_FLOOR_HZ, WIDE_CEILING_HZ)
    if f0.size < 5:
        return f0
    q25, q75 = np.percentile(f0, [25, 75])
    floor = max(WIDE_FLOOR_HZ, 0.75 * q25)
    ceiling = min(WIDE_CEILING_HZ * 1.5, 2.0 * q75)
    if ceiling <= floor * 1.5:  # degenerate register estimate: keep the wide pass
        return f0
    narrowed = _voiced(sound, floor, ceiling)
    return narrowed if narrowed.size else f0


def median_f0(audio: NDArray[np.floating[Any]], rate: int) -> float:
    """Median F0 in Hz over voiced frames (NaN if nothing is voiced or too short)."""
    if audio.size < round(0.07 * rate):  # shorter than Praat's pitch window
        return math.nan
    f0 = voiced_f0(np.asarray(audio, dtype=np.float64), rate)
    return float(np.median(f0)) if f0.size else math.nan
