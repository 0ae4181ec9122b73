"""The measured stock voice catalog (``catalog.json``, built by
``scripts/build_voice_catalog.py``) and the attribute scales the designer uses.

Attributes are measured from each voice's synthesized speech, never guessed
from its name: the designer matches "deep" against a median F0, not against a
label. Pitch is compared in semitones because perceived pitch differences are
ratios (80 -> 90 Hz is as audible as 160 -> 180 Hz).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

# Kokoro's own overall quality grades as kokoro-js 1.2.1 ships them (its
# VOICES table); only the English voices are graded there.
KOKORO_GRADES: dict[str, str] = {
    "af_heart": "A", "af_bella": "A-", "af_nicole": "B-", "af_aoede": "C+", "af_kore": "C+",
    "af_sarah": "C+", "af_alloy": "C", "af_nova": "C", "af_sky": "C-", "af_jessica": "D",
    "af_river": "D", "am_fenrir": "C+", "am_michael": "C+", "am_puck": "C+", "am_echo": "D",
    "am_eric": "D", "am_liam": "D", "am_onyx": "D", "am_santa": "D-", "am_adam": "F+",
    "bf_emma": "B-", "bf_isabella": "C", "bf_alice": "D", "bf_lily": "D", "bm_fable": "C",
    "bm_george": "C", "bm_lewis": "D+", "bm_daniel": "D",
}
_GRADE_POINTS = {"A": 4.0, "B": 3.0, "C": 2.0, "D": 1.0, "F": 0.0}


def semitones(hz: float) -> float:
    """Pitch on a perceptual scale: semitones above 100 Hz."""
    return 12.0 * math.log2(hz / 100.0)


def hz(st: float) -> float:
    return float(100.0 * 2.0 ** (st / 12.0))


@dataclass(frozen=True)
class VoiceEntry:
    """One stock voice's measured attributes."""

    name: str
    language: str  # Language.code
    accent: str  # "american", "british", or the ISO 639-1 code
    gender: str  # "female" | "male"
    f0_median_hz: float
    f0_range_st: float
    syllables_per_s: float
    spectral_centroid_hz: float
    hnr_db: float
    grade: str | None = None
    wer: float | None = None

    @property
    def pitch_st(self) -> float:
        return semitones(self.f0_median_hz)

    @property
    def quality(self) -> float:
        """A prior in (0, 1]: graded voices by grade, ungraded ones as a C.

        Intelligibility counts too: a voice the ASR misreads is a poor base
        (measured: designs drawn mostly from am_michael, catalog WER 0.5, read
        at WER 0.2-0.3 where others read at 0).
        """
        points = _GRADE_POINTS.get((self.grade or "C")[0], 2.0)
        points += {"+": 0.3, "-": -0.3}.get((self.grade or "C")[1:], 0.0)
        prior = 0.4 + 0.15 * points  # A = 1.0, C = 0.7, F = 0.4
        if self.wer is not None:
            prior *= max(0.1, 1.0 - 2.0 * self.wer)
        return prior


@dataclass(frozen=True)
class Catalog:
    voices: dict[str, VoiceEntry]
    # direction name -> calibration (gain_per_unit, unit, half, ...)
    directions: dict[str, dict[str, Any]]

    def gain(self, direction: str) -> float | None:
        """Measured attribute change per unit along ``direction``, if calibrated."""
        info = self.directions.get(direction)
        return float(info["gain_per_unit"]) if info else None


def parse_catalog(data: dict[str, Any]) -> Catalog:
    fields = set(VoiceEntry.__dataclass_fields__) - {"name"}
    voices = {
        name: VoiceEntry(name=name, **{k: v for k, v in entry.items() if k in fields})
        for name, entry in data["voices"].items()
    }
    return Catalog(voices=voices, directions=dict(data.get("directions", {})))


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    """The catalog shipped in the package (read once; it never changes at run time)."""
    text = resources.files("voicesmith.design").joinpath("catalog.json").read_text("utf-8")
    return parse_catalog(json.loads(text))
