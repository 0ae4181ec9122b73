"""Fitting the voice transform stage to a recording: F0, its range, formants, tilt, breath.

The style search (``style_search``) finds the engine voice whose *speaker*
is closest; what a style vector cannot reach, the synthesis-time transform
(``audio.voice_transform``, the same code designs use) can: the recording's
F0 level and range, its vocal-tract length (formant scaling), its spectral
tilt and breathiness. Each is first *measured* on the recording and on the
chosen voice's probe, which gives the value that would match; then a
coordinate search renders the probe with that value (and half of it, and for
the formant warp a few scalings around it) and keeps a step only if it raises
the speaker-embedding similarity to **both halves** of the recording by
``MIN_STEP_GAIN`` on average and lowers neither: each half is a held-out check
on the other, so a step that fits only one stretch of the recording (or the
encoder's noise) is not kept.

Loudness is measured and reported, never applied: the encoder normalizes
level, so it cannot be told to help, and a clone should speak at the
engine's level whatever the recording's gain was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.audio.pitch import voiced_f0
from voicesmith.audio.voice_transform import VoiceTransform, apply_transform
from voicesmith.cloning.speaker_encoder import Embedder

# Beyond these a transformed voice stops sounding like one human (designs may go further).
F0_RATIO_RANGE = (0.7, 1.45)
F0_RANGE_RANGE = (0.5, 1.6)
TILT_RANGE = (-3.0, 3.0)
WARP_STEPS = (0.92, 0.96, 1.04, 1.08)
BREATH_STEPS = (0.15, 0.3)
FINE_WARP_STEP = 0.02
# The parameters the PSOLA stage renders (the rest: the spectral stage and gain).
_PSOLA_FIELDS = ("f0_ratio", "f0_range", "formant_warp", "roughness", "creak", "tremor_hz",
                 "tremor_depth")
MIN_STEP_GAIN = 0.004
# Measured differences smaller than these are not worth a render.
MIN_F0_GAP_ST = 0.4
MIN_RANGE_GAP = 0.08
MIN_TILT_GAP_DB = 0.4
# The band whose slope is the tilt: above F0, below where codecs cut.
_TILT_BAND_HZ = (300.0, 4000.0)


@dataclass(frozen=True)
class VoiceFeatures:
    """What the transform can change, measured on speech."""

    median_f0_hz: float
    f0_spread_st: float  # interquartile range of F0, semitones
    tilt_db_per_octave: float
    level_dbfs: float

    def to_dict(self) -> dict[str, float | None]:
        return {k: (None if not math.isfinite(v) else round(v, 3))
                for k, v in self.__dict__.items()}


def measure_features(samples: NDArray[np.float32], rate: int) -> VoiceFeatures:
    f0 = voiced_f0(samples, rate) if samples.size >= 0.07 * rate else np.zeros(0)
    if f0.size >= 10:
        q25, q50, q75 = np.percentile(f0, [25, 50, 75])
        median, spread = float(q50), 12.0 * math.log2(q75 / q25)
    else:
        median, spread = math.nan, math.nan
    return VoiceFeatures(median_f0_hz=median, f0_spread_st=spread,
                         tilt_db_per_octave=spectral_tilt(samples, rate),
                         level_dbfs=_level_dbfs(samples))


def spectral_tilt(samples: NDArray[np.float32], rate: int) -> float:
    """Slope in dB per octave of the long-term spectrum over ``_TILT_BAND_HZ``.

    Averaged over the louder half of 32 ms frames (speech, not pauses), then
    a straight line fitted to dB against log2 frequency.
    """
    n = 1 << round(math.log2(0.032 * rate))
    if samples.size < 2 * n:
        return math.nan
    hop = n // 2
    idx = np.arange(n)[None, :] + hop * np.arange(1 + (samples.size - n) // hop)[:, None]
    frames = samples.astype(np.float64)[idx] * np.hanning(n)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    energy = power.sum(axis=1)
    loud = power[energy >= np.median(energy)].mean(axis=0)
    freqs = np.fft.rfftfreq(n, 1.0 / rate)
    band = (freqs >= _TILT_BAND_HZ[0]) & (freqs <= min(_TILT_BAND_HZ[1], rate / 2 * 0.95))
    if np.count_nonzero(band) < 8:
        return math.nan
    slope = np.polyfit(np.log2(freqs[band]), 10.0 * np.log10(loud[band] + 1e-20), 1)[0]
    return float(slope)


@dataclass
class TransformFit:
    """The search's outcome: the transform (identity if nothing helped) and its trail."""

    transform: VoiceTransform
    score: float  # mean similarity to the two halves
    plain_score: float
    steps: list[dict[str, Any]] = field(default_factory=list)


def fit_transform(probe: NDArray[np.float32], rate: int,
                  halves: tuple[NDArray[np.float64], NDArray[np.float64]],
                  target: VoiceFeatures, embed: Embedder) -> TransformFit:
    """Coordinate search for the transform of ``probe`` that best matches the recording.

    ``halves`` are the embeddings of the recording's two halves, ``target``
    its measured features.
    """
    own = measure_features(probe, rate)
    render = _Renderer(probe, rate)

    def score(transform: VoiceTransform) -> tuple[float, float]:
        e = np.asarray(embed(render(transform), rate), dtype=np.float64)
        return float(e @ halves[0]), float(e @ halves[1])

    best = VoiceTransform()
    best_pair = score(best)
    fit = TransformFit(best, float(np.mean(best_pair)), float(np.mean(best_pair)))

    def consider(name: str, options: list[VoiceTransform]) -> None:
        nonlocal best, best_pair
        for option in options:
            pair = score(option)
            gain = float(np.mean(pair)) - float(np.mean(best_pair))
            kept = gain >= MIN_STEP_GAIN and min(p - b for p, b in zip(pair, best_pair,
                                                                       strict=True)) >= 0
            fit.steps.append({"step": name, "transform": _changed(option), "gain": round(gain, 4),
                              "kept": kept})
            if kept:
                best, best_pair = option, pair
        fit.transform, fit.score = best, float(np.mean(best_pair))

    f0_gap = _semitones(target.median_f0_hz, own.median_f0_hz)
    if abs(f0_gap) >= MIN_F0_GAP_ST:
        full = _clip(2.0 ** (f0_gap / 12.0), F0_RATIO_RANGE)
        consider("f0", [replace(best, f0_ratio=_round(r)) for r in (math.sqrt(full), full)])
    consider("formants", [replace(best, formant_warp=w) for w in WARP_STEPS])
    tilt_gap = target.tilt_db_per_octave - own.tilt_db_per_octave
    if math.isfinite(tilt_gap) and abs(tilt_gap) >= MIN_TILT_GAP_DB:
        full = _clip(tilt_gap, TILT_RANGE)
        consider("tilt", [replace(best, tilt_db_per_octave=_round(t)) for t in (full / 2, full)])
    if target.f0_spread_st > 0 and own.f0_spread_st > 0:
        ratio = _clip(target.f0_spread_st / own.f0_spread_st, F0_RANGE_RANGE)
        if abs(ratio - 1.0) >= MIN_RANGE_GAP:
            consider("f0 range", [replace(best, f0_range=_round(ratio))])
    consider("breath", [replace(best, breathiness=b) for b in BREATH_STEPS])
    # A second, finer look at the formants: the best scaling may have moved
    # with the F0, tilt and range now applied.
    consider("formants, finer", [replace(best, formant_warp=_round(best.formant_warp + d))
                                 for d in (-FINE_WARP_STEP, FINE_WARP_STEP)])
    return fit


class _Renderer:
    """Renders transforms of one probe, reusing the PSOLA stage's output across them.

    The search varies the spectral stage (tilt, breath) with the PSOLA
    parameters fixed, and PSOLA's pitch analysis is most of a render's cost;
    the spectral stage applied to a cached PSOLA output is the same audio
    (the stages run in that order; the soft limiter, at 0.9 full scale, aside).
    """

    def __init__(self, probe: NDArray[np.float32], rate: int) -> None:
        self._probe, self._rate = probe, rate
        self._psola: dict[VoiceTransform, NDArray[np.float32]] = {}

    def __call__(self, transform: VoiceTransform) -> NDArray[np.float32]:
        neutral = VoiceTransform()
        source = replace(neutral, **{k: getattr(transform, k) for k in _PSOLA_FIELDS})
        rest = replace(transform, **{k: getattr(neutral, k) for k in _PSOLA_FIELDS})
        base = self._psola.get(source)
        if base is None:
            base = (self._probe if source.is_identity
                    else apply_transform(source, self._probe, self._rate))
            self._psola[source] = base
        return base if rest.is_identity else apply_transform(rest, base, self._rate)


def _changed(transform: VoiceTransform) -> dict[str, float]:
    neutral = VoiceTransform()
    return {k: v for k, v in transform.__dict__.items() if v != getattr(neutral, k)}


def _semitones(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b) and a > 0 and b > 0):
        return 0.0
    return 12.0 * math.log2(a / b)


def _clip(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def _round(value: float) -> float:
    return round(float(value), 3)


def _level_dbfs(samples: NDArray[np.float32]) -> float:
    if samples.size == 0:
        return math.nan
    return float(10.0 * np.log10(np.mean(samples.astype(np.float64) ** 2) + 1e-12))
