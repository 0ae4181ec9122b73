"""The last stage of a design: what the traits ask of the audio beyond the blended voice.

A blend of stock voices cannot sound like a child, an old man, a whisper or a
shout; the synthesis-time transform (``audio.voice_transform``) can move F0
and its range, the vocal-tract length, breathiness, roughness, creak, tremor,
loudness and tilt. ``transform_for`` maps the traits onto those parameters,
each effect scaled by the strength the prompt gave its word ("slightly
breathy" is half of "breathy"), and returns the stored form, or None when
nothing is asked (such a voice is synthesized exactly as the engine speaks).

The amounts were chosen by ear and checked by the design suite's paired
acoustic measures (child vs adult F0 and formants, whisper's voiced
fraction, breathy/raspy HNR, loud vs soft RMS, ...); the README's table
lists them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voicesmith.audio.voice_transform import BOUNDS, VoiceTransform
from voicesmith.design.traits import VoiceTraits

# What one unit of a trait does. Ratios multiply, amounts add; "range" scales the
# F0 contour's excursions, "tremor" is a peak swing in semitones.
_AGE: dict[str, dict[str, dict[str, float]]] = {
    # a child's F0 and formants sit well above an adult's of either gender
    "child": {"male": {"f0": 1.45, "warp": 1.16}, "female": {"f0": 1.22, "warp": 1.12}},
    "teen": {"male": {"f0": 1.12, "warp": 1.05}, "female": {"f0": 1.05, "warp": 1.04}},
    # old voices: a little tremor, more breath and roughness; women's F0 drops, men's rises
    "elderly": {"male": {"f0": 1.04, "tremor": 0.35, "breath": 0.3, "rough": 0.3,
                         "range": 0.9},
                "female": {"f0": 0.93, "tremor": 0.35, "breath": 0.3, "rough": 0.3,
                           "range": 0.9}},
}
_TIMBRE: dict[str, dict[str, float]] = {
    "whispery": {"whisper": 0.85},
    "breathy": {"breath": 0.45},
    "husky": {"breath": 0.25, "rough": 0.2},
    "raspy": {"rough": 0.45},
    "gravelly": {"rough": 0.5, "creak": 0.2},
    "creaky": {"creak": 0.55},
    "shaky": {"tremor": 0.6},
}
_EMOTION: dict[str, dict[str, float]] = {
    "angry": {"loud": 3.0, "range": 1.3, "tilt": 1.5, "rough": 0.1},
    "excited": {"f0": 1.06, "range": 1.35, "loud": 2.0},
    "cheerful": {"f0": 1.04, "range": 1.15},
    "sad": {"f0": 0.94, "range": 0.7, "loud": -2.0, "breath": 0.1},
    "tired": {"range": 0.75, "loud": -2.0, "breath": 0.15},
    "fearful": {"f0": 1.06, "tremor": 0.3},
    "menacing": {"f0": 0.93, "range": 0.85, "loud": -1.0, "tilt": -1.0},
    "flat": {"range": 0.6},
    "intense": {"loud": 2.0, "tilt": 1.0},
}
# Calm, warm, playful and the like live in the blend and the pace (the style
# vector's prosody half): no transform, so such voices cost nothing extra.
# loudness +1 ("loud") is 4 dB louder and pressed (brighter); -1 ("soft") the reverse
_DB_PER_LOUDNESS = 4.0
_TILT_PER_LOUDNESS = 1.0


@dataclass
class _Amounts:
    ratios: dict[str, float] = field(default_factory=lambda: {"f0": 1.0, "warp": 1.0,
                                                             "range": 1.0})
    sums: dict[str, float] = field(default_factory=dict)

    def add(self, effect: Mapping[str, float], strength: float) -> None:
        for name, value in effect.items():
            if name in self.ratios:  # scaled in the log domain: half strength, half the step
                self.ratios[name] *= math.exp(math.log(value) * strength)
            else:
                self.sums[name] = self.sums.get(name, 0.0) + value * strength


def transform_for(traits: VoiceTraits, gender: str) -> dict[str, Any] | None:
    """The stored transform for a design of ``gender`` ("male"/"female"), or None."""
    amounts = _Amounts()
    sex = "male" if gender == "male" else "female"
    if traits.age in _AGE:
        amounts.add(_AGE[traits.age][sex], 1.0)
    for label, strength in traits.timbre.items():
        if label in _TIMBRE and strength > 0:
            amounts.add(_TIMBRE[label], min(strength, 2.0))
    for label, strength in traits.emotions.items():
        if label in _EMOTION and strength > 0:
            amounts.add(_EMOTION[label], min(strength, 1.5))
    if traits.loudness:
        amounts.add({"loud": _DB_PER_LOUDNESS, "tilt": _TILT_PER_LOUDNESS}, traits.loudness)
    s = amounts.sums
    transform = VoiceTransform(
        f0_ratio=_clip("f0_ratio", amounts.ratios["f0"]),
        f0_range=_clip("f0_range", amounts.ratios["range"]),
        formant_warp=_clip("formant_warp", amounts.ratios["warp"]),
        breathiness=_clip("breathiness", s.get("breath", 0.0)),
        whisper=_clip("whisper", s.get("whisper", 0.0)),
        roughness=_clip("roughness", s.get("rough", 0.0)),
        creak=_clip("creak", s.get("creak", 0.0)),
        tremor_depth=_clip("tremor_depth", s.get("tremor", 0.0)),
        loudness_db=_clip("loudness_db", s.get("loud", 0.0), -9.0, 6.0),
        tilt_db_per_octave=_clip("tilt_db_per_octave", s.get("tilt", 0.0), -3.0, 3.0),
    )
    return None if transform.is_identity else transform.to_dict()


def _clip(name: str, value: float, lo: float | None = None, hi: float | None = None) -> float:
    low, high, _ = BOUNDS[name]
    return round(min(max(value, low if lo is None else lo), high if hi is None else hi), 4)
