"""Accents: English spoken with another language's voices.

Kokoro's French, Spanish, Italian, Hindi, Japanese, Chinese and Brazilian
Portuguese voices speak English phonemes with their own language's sound, so
"a man with a French accent" keeps the English phonemizer (the words stay
English) and mixes the accent language's stock voices into the blend. The
accent's strength is their share of the blend: "slight" less, "strong" more.

Measured when this was written (same seed, English text, the design with the
accent against the one without: "A man with a French accent" / "A man", and
so on for Indian, Spanish, Italian, Chinese, Brazilian and Japanese;
similarity is ECAPA speaker similarity, WER is whisper tiny.en's):

==================  ======  ===========  =====  ==========================
strength            share   similarity   WER    F0 after steering
==================  ======  ===========  =====  ==========================
slight (0.5)        0.43    0.90-0.91    0 %    within 1-4 Hz of the plain
an accent (1.0)     0.65    0.76-0.92    0 %    within 2-22 Hz of the plain
strong (1.5)        0.83    0.83-0.86    0 %    within 7-12 Hz of the plain
==================  ======  ===========  =====  ==========================

Every share stays intelligible, and "an accent" is another voice than the
plain design (the design suite's distinct-voice threshold is 0.93). Steering
runs after this stage, so the prompt's pitch target still holds.

A language with no stock voice of the asked gender (there is no male French
voice) lends its other gender's voices moved by the English voices' gender
difference (mean male pack minus mean female pack): the accent's direction
without its register. Steering then sets the pitch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.catalog import VoiceEntry
from voicesmith.design.sampling import perturb_logits, select, softmax
from voicesmith.design.steering import Scales, match_logits
from voicesmith.engine.base import StockVoice
from voicesmith.engine.languages import AMERICAN_ENGLISH, BRITISH_ENGLISH, Language

DEFAULT_SHARE = 0.65  # "a French accent": the accent voices' share of the blend
MIN_SHARE, MAX_SHARE = 0.25, 0.9  # "a faint hint" is still heard; "very strong" keeps English
STRENGTH_EXPONENT = 0.6  # slight (0.5) -> 0.43, strong (1.5) -> 0.83
ACCENT_TOP_K = 3  # the accent language's voices that may contribute


def share_for(strength: float) -> float:
    """The accent voices' share of the blend for a strength (1.0 = "an accent").

    Sublinear: at half the share (0.33) "a slight Chinese accent" was nearly
    the plain voice (similarity 0.938, above the 0.93 distinct-voice line),
    while a slight accent is still one a listener hears.
    """
    return float(np.clip(DEFAULT_SHARE * strength ** STRENGTH_EXPONENT, MIN_SHARE, MAX_SHARE))


def speaks_english(language: Language) -> bool:
    return language in (AMERICAN_ENGLISH, BRITISH_ENGLISH)


@dataclass(frozen=True)
class AccentBlend:
    pack: NDArray[np.float64]  # the accented pack
    components: dict[str, float]  # every stock voice's weight in it (for steering)
    recipe: dict[str, object]  # what the recipe records


def _english_mean(stock: Mapping[str, StockVoice], entries: Mapping[str, VoiceEntry],
                  gender: str) -> NDArray[np.float64]:
    packs = [stock[n].pack for n, e in entries.items()
             if e.gender == gender and e.language in (AMERICAN_ENGLISH.code, BRITISH_ENGLISH.code)]
    return np.mean(np.stack(packs), axis=0).astype(np.float64)


def blend_accent(pack: NDArray[np.float64], components: Mapping[str, float], accent: Language,
                 strength: float, gender: str, wanted: Mapping[str, float],
                 stock: Mapping[str, StockVoice], entries: Mapping[str, VoiceEntry],
                 scales: Scales, temperature: float, rng: np.random.Generator) -> AccentBlend:
    """Mix ``accent``'s stock voices of ``gender`` into ``pack`` by the strength's share.

    The accent voices are weighted by how well they match the prompt's targets
    (``wanted``), with the design's sampling noise, as the main blend is.
    """
    share = share_for(strength)
    lenders = [n for n, e in entries.items() if e.language == accent.code and e.gender == gender]
    lent_from = gender
    if not lenders:
        lent_from = "male" if gender == "female" else "female"
        lenders = [n for n, e in entries.items()
                   if e.language == accent.code and e.gender == lent_from]
    logits = match_logits([entries[n] for n in lenders], wanted, scales)
    weights = select(softmax(perturb_logits(logits, temperature, rng)), ACCENT_TOP_K, 1.0)
    chosen = {n: float(w) for n, w in zip(lenders, weights, strict=True) if w > 0}
    accent_pack = sum((w * stock[n].pack.astype(np.float64) for n, w in chosen.items()),
                      start=np.zeros_like(pack))
    if lent_from != gender:
        accent_pack += (_english_mean(stock, entries, gender)
                        - _english_mean(stock, entries, lent_from))
    mixed = {n: (1.0 - share) * w for n, w in components.items()}
    for name, weight in chosen.items():
        mixed[name] = mixed.get(name, 0.0) + share * weight
    recipe: dict[str, object] = {
        "language": accent.code, "strength": round(strength, 3), "share": round(share, 4),
        "voices": [{"voice": n, "weight": round(w, 6)}
                   for n, w in sorted(chosen.items(), key=lambda kv: -kv[1])],
    }
    if lent_from != gender:
        recipe["lent_from"] = lent_from
    return AccentBlend((1.0 - share) * pack + share * accent_pack, mixed, recipe)


def lent_note(blend: AccentBlend, accent: Language, gender: str) -> str | None:
    """What the design says when the accent's voices were of the other gender."""
    lent_from = blend.recipe.get("lent_from")
    if lent_from is None:
        return None
    return (f"no {gender} {accent.name} stock voice: the {lent_from} ones lend the accent, "
            f"moved to a {gender} register")
