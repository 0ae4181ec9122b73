"""Trait targets in measured units, and continuous steering of a pack toward them.

A trait strength becomes a target in the catalog's units, relative to the
voices the design is drawn from (their median is "neutral"):

* pitch: 3 semitones per unit ("deep" = -3 st, "much deeper" = -4.5 st,
  "slightly deeper" = -1.5 st), about one spread of the stock voices' median
  F0 within a gender (2.9 st);
* expressiveness (F0 range), brightness (spectral centroid), clarity
  (harmonics-to-noise ratio): one stock-voice standard deviation per unit;
* pace: Kokoro's speed, 2^(0.26 x pace) slower (slow ~0.84, very slow ~0.76)
  and 2^(0.22 x pace) faster (fast ~1.16, very fast ~1.26), clamped to
  0.7..1.3: measured with an offline ASR, male blends at 1.2 already lose
  words (WER 0.12-0.24) where slow speech loses none. The wanted rate
  (the kind of voice's median syllables/s x that factor) also favours
  naturally slow or quick voices when the blend is chosen.

Steering moves the pack along the fitted attribute directions by the measured
gain (catalog.json), never further than half a unit beyond the outermost stock
voice of the same kind: the voice stays inside the region the model was
trained on, so it stays intelligible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.catalog import Catalog, VoiceEntry, hz
from voicesmith.design.directions import SPECS_BY_NAME, Direction, steer_pack
from voicesmith.design.traits import VoiceTraits
from voicesmith.engine.base import StockVoice

PITCH_ST_PER_UNIT = 3.0
# slower and faster are not symmetric: the ASR loses words on male blends at
# speed 1.2 (WER 0.12-0.24) but not at 0.76
PACE_OCTAVES_PER_UNIT = {"slower": 0.26, "faster": 0.22}
SPEED_RANGE = (0.7, 1.3)
SPREAD_MARGIN = 0.5
# half-width of the band an unasked-for pitch may wander in, in stock-voice spreads
BAND_BASE = 0.15
BAND_PER_TEMPERATURE = 0.3
# the trait axis behind each direction; energy feeds expressiveness when the
# prompt says nothing about expressiveness itself
AXIS_OF_DIRECTION = {"pitch": "pitch", "expressiveness": "expressiveness",
                     "brightness": "brightness", "clarity": "clarity"}
# steered in this order: pitch last, so that it corrects what the others moved
STEER_ORDER = ("clarity", "brightness", "expressiveness", "pitch")
RECIPE_UNITS = {"pitch": "hz", "expressiveness": "f0_range_st", "brightness": "centroid_hz",
                "clarity": "hnr_db", "rate": "syllables_per_s"}
MATCH_IMPORTANCE = {"pitch": 1.0, "expressiveness": 0.5, "brightness": 0.5, "clarity": 0.5,
                    "rate": 0.15}


def attribute(entry: VoiceEntry, name: str) -> float:
    """A voice's value for a direction (pitch in semitones) or "rate"."""
    if name == "rate":
        return entry.syllables_per_s
    spec = SPECS_BY_NAME[name]
    return spec.transform(float(getattr(entry, spec.attribute)))


@dataclass(frozen=True)
class Scales:
    """Typical spread of each attribute within one gender, over the whole catalog.

    Robust (1.4826 x the median absolute deviation, which equals the standard
    deviation for normal data): a few character voices (zm_yunxia, a boy at
    289 Hz; am_santa) would otherwise widen every scale by half.
    """

    sd: dict[str, float]

    @classmethod
    def of(cls, catalog: Catalog) -> Scales:
        sd: dict[str, float] = {}
        for name in (*STEER_ORDER, "rate"):
            deviations = []
            for gender in ("female", "male"):
                values = [attribute(e, name) for e in catalog.voices.values() if e.gender == gender]
                deviations += list(np.array(values) - np.median(values))
            sd[name] = float(1.4826 * np.median(np.abs(deviations)))
        return cls(sd)


def targets(traits: VoiceTraits, reference: Sequence[VoiceEntry], scales: Scales,
            neutral_pitch: float | None) -> dict[str, float]:
    """Requested attribute values; attributes the prompt leaves open get none.

    ``neutral_pitch`` (semitones) is the centre for a gender-neutral voice,
    which always gets a pitch target (between the genders).
    """
    out: dict[str, float] = {}
    for name in STEER_ORDER:
        strength = traits.axis(AXIS_OF_DIRECTION[name])
        if name == "expressiveness" and strength == 0.0:
            strength = 0.5 * traits.energy
        centre = float(np.median([attribute(e, name) for e in reference]))
        if name == "pitch":
            if neutral_pitch is not None:
                out[name] = neutral_pitch + strength * PITCH_ST_PER_UNIT
            elif strength:
                out[name] = centre + strength * PITCH_ST_PER_UNIT
        elif strength:
            out[name] = centre + strength * scales.sd[name]
    if traits.pace:
        centre = float(np.median([e.syllables_per_s for e in reference]))
        octaves = PACE_OCTAVES_PER_UNIT["slower" if traits.pace < 0 else "faster"]
        out["rate"] = centre * 2.0 ** (octaves * traits.pace)
    return out


def pitch_band(reference: Sequence[VoiceEntry], scales: Scales, temperature: float
               ) -> tuple[float, float]:
    """Where a voice whose prompt says nothing of pitch may sit (semitones).

    Unasked-for pitch is free to vary, but only around the middle of its kind
    of voice, and more with the temperature: "a male voice" stays between
    "a deep male voice" and "a high male voice".
    """
    centre = float(np.median([attribute(e, "pitch") for e in reference]))
    half = scales.sd["pitch"] * (BAND_BASE + BAND_PER_TEMPERATURE * temperature)
    return centre - half, centre + half


def match_logits(entries: Sequence[VoiceEntry], wanted: Mapping[str, float],
                 scales: Scales) -> NDArray[np.float64]:
    """How well each voice already has the wanted attributes, plus its quality.

    Closer voices need less steering, and less steering sounds more natural.
    """
    logits = []
    for e in entries:
        d = sum(MATCH_IMPORTANCE[n] * ((attribute(e, n) - t) / scales.sd[n]) ** 2
                for n, t in wanted.items())
        logits.append(-d + 3.0 * np.log(e.quality))
    return np.array(logits, dtype=np.float64)


@dataclass(frozen=True)
class SteerResult:
    pack: NDArray[np.float32]
    moves: list[dict[str, float | str | bool]]
    # what the linear model expects the final pack to measure, per direction
    predicted: dict[str, float]


def steer(pack: NDArray[np.float32], components: Mapping[str, float],
          stock: Mapping[str, StockVoice], entries: Mapping[str, VoiceEntry],
          wanted: Mapping[str, float], directions: Mapping[str, Direction],
          gains: Mapping[str, float | None], bound_voices: Sequence[str],
          bands: Mapping[str, tuple[float, float]] | None = None) -> SteerResult:
    """Move ``pack`` along each direction until its predicted attribute hits the target.

    An attribute with a band instead of a target moves only if it is outside
    the band, to its nearest edge.

    The prediction is linear: the blend's attribute is the weighted mean of its
    voices' (blends of style vectors blend F0 almost linearly), corrected by
    the measured gain for how far the pack sits from its voices' weighted
    position (offsets, earlier steering along correlated directions).
    """
    moves: list[dict[str, float | str | bool]] = []
    for name in STEER_ORDER:
        gain = gains.get(name)
        band = (bands or {}).get(name)
        if (name not in wanted and band is None) or name not in directions or not gain:
            continue
        direction = directions[name]
        base_attr = sum(w * attribute(entries[v], name) for v, w in components.items())
        base_pos = sum(w * direction.position(stock[v].pack) for v, w in components.items())
        here = direction.position(pack)
        predicted = base_attr + gain * (here - base_pos)
        if name in wanted:
            goal = wanted[name]
        else:
            assert band is not None
            goal = min(max(predicted, band[0]), band[1])
            if goal == predicted:
                continue  # inside its band: left as it is
        units = (goal - predicted) / gain
        positions = [direction.positions[v] for v in bound_voices if v in direction.positions]
        if not positions:
            continue
        lo, hi = min(positions) - SPREAD_MARGIN, max(positions) + SPREAD_MARGIN
        new_pos = float(np.clip(here + units, lo, hi))
        clamped = abs(new_pos - (here + units)) > 1e-9
        pack = steer_pack(pack, direction.vector, new_pos - here)
        predicted = base_attr + gain * (new_pos - base_pos)
        moves.append({"direction": name, "units": round(new_pos - here, 4), "clamped": clamped,
                      f"predicted_{RECIPE_UNITS[name]}": round(_readable(name, predicted), 3),
                      f"target_{RECIPE_UNITS[name]}": round(_readable(name, goal), 3)})
    expected: dict[str, float] = {}
    for name, direction in directions.items():
        gain = gains.get(name)
        if gain and name in AXIS_OF_DIRECTION:
            base_attr = sum(w * attribute(entries[v], name) for v, w in components.items())
            base_pos = sum(w * direction.position(stock[v].pack) for v, w in components.items())
            value = base_attr + gain * (direction.position(pack) - base_pos)
            expected[f"{name}_{RECIPE_UNITS[name]}"] = round(_readable(name, value), 3)
    return SteerResult(pack, moves, expected)


def _readable(name: str, value: float) -> float:
    return hz(value) if name == "pitch" else value


def readable_targets(wanted: Mapping[str, float]) -> dict[str, float]:
    """Targets in the catalog's own units, for the recipe (pitch in Hz)."""
    return {f"{name}_{RECIPE_UNITS[name]}": round(_readable(name, v), 3)
            for name, v in wanted.items()}


def speed_for(wanted: Mapping[str, float], reference: Sequence[VoiceEntry]) -> float:
    """Kokoro speed: the wanted rate relative to its kind of voice's median rate.

    Not relative to the blend's own catalogued rate: that is measured on one
    passage and too noisy per voice (bm_fable reads 20 % slow there, not on
    other texts), so correcting by it undid "unhurried" for a fable blend.
    """
    if "rate" not in wanted:
        return 1.0
    centre = float(np.median([e.syllables_per_s for e in reference]))
    return float(np.clip(wanted["rate"] / centre, *SPEED_RANGE))
