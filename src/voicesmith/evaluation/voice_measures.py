"""Voice quality with Praat (praat-parselmouth): what a voice transform should move.

``voice_measures`` gives, for one utterance, the acoustic correlates the
design suite's paired checks compare (a prompt against the same prompt
without one trait):

* ``f0_hz`` / ``f0_range_st``: median F0 and its 10th-90th percentile span in
  semitones (``pitch.f0_stats``, the suite's existing pitch measure);
* ``f1_hz`` / ``f2_hz``: median first and second formants (Burg, 5 formants
  below a fixed 5500 Hz ceiling) over voiced speech frames. The ceiling is the
  same for every voice on purpose: a pair is compared under one analysis, so a
  shorter vocal tract (a child) shows as higher formants, not as a different
  ceiling;
* ``hnr_db``: mean harmonics-to-noise ratio (cross-correlation method, Praat's
  voice-report settings) over voiced frames: breath and rasp lower it;
* ``jitter`` / ``shimmer``: Praat's local jitter and shimmer (fractions, the
  voice-report settings) from a cross-correlation point process in the
  voice's own F0 register (two-pass range, as ``pitch.voiced_f0``), so octave
  jumps do not read as jitter;
* ``voiced_fraction``: the share of speech frames (``rate.speech_mask``) Praat
  finds voiced: a whisper has next to none;
* ``rms_db``: level of the speech frames (dB re full scale), pauses excluded.

All fields are NaN where they cannot be measured (nothing voiced, no speech).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import as_mono_float
from voicesmith.evaluation._common import check_rate, require
from voicesmith.evaluation.pitch import HIGH_PASS_HZ, f0_stats
from voicesmith.evaluation.rate import speech_mask

__all__ = ["VoiceMeasures", "voice_measures"]

_STEP_S = 0.01  # speech_mask's hop: one frame grid for every measure
_MASK_CENTRE_S = 0.0125  # centre of speech_mask's first 25 ms frame
_FORMANT_CEILING_HZ = 5500.0
_PITCH_FLOOR_HZ, _PITCH_CEILING_HZ = 60.0, 700.0
_HNR_MIN_PITCH_HZ = 75.0
# Praat's voice-report arguments: shortest/longest period, largest period factor,
# largest amplitude factor.
_PERIOD_MIN_S, _PERIOD_MAX_S, _PERIOD_FACTOR, _AMPLITUDE_FACTOR = 0.0001, 0.02, 1.3, 1.6


@dataclass(frozen=True)
class VoiceMeasures:
    f0_hz: float = math.nan
    f0_range_st: float = math.nan
    f1_hz: float = math.nan
    f2_hz: float = math.nan
    hnr_db: float = math.nan
    jitter: float = math.nan
    shimmer: float = math.nan
    voiced_fraction: float = math.nan
    rms_db: float = math.nan

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def _frames_at(times: NDArray[np.float64], mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """``mask`` (speech_mask's 10 ms grid) read at Praat frame ``times``."""
    idx = np.rint((times - _MASK_CENTRE_S) / _STEP_S).astype(int)
    inside = (idx >= 0) & (idx < mask.size)
    out = np.zeros(times.size, dtype=bool)
    out[inside] = mask[idx[inside]]
    return out


def _register(f0: NDArray[np.float64]) -> tuple[float, float]:
    """The voice's own F0 range (De Looze & Hirst), as ``pitch.voiced_f0`` narrows it."""
    if f0.size < 5:
        return _PITCH_FLOOR_HZ, _PITCH_CEILING_HZ
    q25, q75 = np.percentile(f0, [25, 75])
    floor = max(_PITCH_FLOOR_HZ, 0.75 * float(q25))
    ceiling = min(_PITCH_CEILING_HZ * 1.5, 2.0 * float(q75))
    if ceiling <= floor * 1.5:
        return _PITCH_FLOOR_HZ, _PITCH_CEILING_HZ
    return floor, ceiling


def _level_db(audio: NDArray[np.float32], rate: int, mask: NDArray[np.bool_]) -> float:
    hop = round(_STEP_S * rate)
    frame = round(0.025 * rate)
    starts = np.flatnonzero(mask) * hop
    if starts.size == 0:
        return math.nan
    power = [float(np.mean(audio[s:s + frame].astype(np.float64) ** 2)) for s in starts]
    return 10.0 * math.log10(max(float(np.mean(power)), 1e-20))


def voice_measures(samples: ArrayLike, sample_rate: int) -> VoiceMeasures:
    """The Praat measures of one utterance (see the module docstring)."""
    parselmouth = require("parselmouth", "praat-parselmouth", purpose="voice measures")
    call: Any = parselmouth.praat.call
    audio = as_mono_float(samples)
    rate = check_rate(sample_rate)
    mask = speech_mask(audio, rate)
    level = _level_db(audio, rate, mask)
    sound = parselmouth.Sound(audio.astype(np.float64), sampling_frequency=float(rate))
    sound = call(sound, "Filter (pass Hann band)", HIGH_PASS_HZ, 0.0, 10.0)
    stats = f0_stats(audio, rate)

    wide = sound.to_pitch_ac(time_step=_STEP_S, pitch_floor=_PITCH_FLOOR_HZ,
                             pitch_ceiling=_PITCH_CEILING_HZ)
    f0 = np.asarray(wide.selected_array["frequency"], dtype=np.float64)
    speech = _frames_at(np.asarray(wide.xs(), dtype=np.float64), mask)
    if not speech.any():
        return VoiceMeasures(rms_db=level)
    voiced = speech & (f0 > 0)
    fraction = float(np.count_nonzero(voiced)) / float(np.count_nonzero(speech))
    if np.count_nonzero(voiced) < 5:
        return VoiceMeasures(voiced_fraction=fraction, rms_db=level)

    floor, ceiling = _register(f0[voiced])
    pitch = sound.to_pitch_cc(time_step=_STEP_S, pitch_floor=floor, pitch_ceiling=ceiling)
    points = call([sound, pitch], "To PointProcess (cc)")
    jitter = call(points, "Get jitter (local)", 0.0, 0.0, _PERIOD_MIN_S, _PERIOD_MAX_S,
                  _PERIOD_FACTOR)
    shimmer = call([sound, points], "Get shimmer (local)", 0.0, 0.0, _PERIOD_MIN_S,
                   _PERIOD_MAX_S, _PERIOD_FACTOR, _AMPLITUDE_FACTOR)

    harmonicity = sound.to_harmonicity_cc(time_step=_STEP_S, minimum_pitch=_HNR_MIN_PITCH_HZ,
                                          silence_threshold=0.1, periods_per_window=1.0)
    hnr = np.asarray(harmonicity.values, dtype=np.float64).reshape(-1)
    hnr_times = np.asarray(harmonicity.xs(), dtype=np.float64)
    hnr_ok = (hnr > -199.0) & _frames_at(hnr_times, mask)

    formant = sound.to_formant_burg(time_step=_STEP_S, max_number_of_formants=5,
                                    maximum_formant=_FORMANT_CEILING_HZ)
    times = np.asarray(wide.xs(), dtype=np.float64)[voiced]
    f1 = np.array([formant.get_value_at_time(1, t) for t in times], dtype=np.float64)
    f2 = np.array([formant.get_value_at_time(2, t) for t in times], dtype=np.float64)

    def median(values: NDArray[np.float64]) -> float:
        ok = values[np.isfinite(values)]
        return float(np.median(ok)) if ok.size else math.nan

    def number(value: Any) -> float:
        v = float(value)
        return v if math.isfinite(v) else math.nan

    return VoiceMeasures(
        f0_hz=stats.median_hz, f0_range_st=stats.range_semitones,
        f1_hz=median(f1), f2_hz=median(f2),
        hnr_db=float(np.mean(hnr[hnr_ok])) if hnr_ok.any() else math.nan,
        jitter=number(jitter), shimmer=number(shimmer),
        voiced_fraction=fraction, rms_db=level)
