"""From a prompt to a concrete voice: ``design_voice``.

1. Parse the prompt into traits (``traits.py``).
2. Decide the effective language: an explicit non-English language wins; for
   English (or no language), an American/British accent in the prompt picks
   American or British English; a non-English language named in the prompt
   is used when the caller gave none, and with English it is an accent: the
   words stay English and that language's voices join the blend (``accent.py``).
3. Candidates: the stock voices of that language and of the asked gender.
   Gender is never crossed unless the prompt asks for a neutral voice (then
   both genders blend, half the weight each, centred between them). With no
   gender in the prompt, a pitch word decides ("deep" male, "high" female);
   otherwise the best candidate after sampling noise does, so unseeded calls
   explore both. A language with no voice of that gender borrows English
   voices of it.
4. Weights: how well each candidate's measured attributes match the targets,
   plus its quality grade; then temperature, top_k, top_p and the repetition
   penalty as documented in ``sampling.py``. The pack is the weighted blend.
5. An accent mixes its language's voices in, by its strength (``accent.py``).
6. Steer continuously along the fitted directions (``steering.py``): timbre
   traits on dims [:128], pitch and expressiveness on [128:]; pace sets speed.
7. The voice transform (``transform.py``): what no blend of stock voices does.

Everything random comes from one generator seeded by ``params.seed`` (or a
fresh seed, recorded in the recipe), so a seed reproduces a voice exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.design import repetition, sampling
from voicesmith.design.accent import blend_accent, lent_note, speaks_english
from voicesmith.design.catalog import Catalog, VoiceEntry, load_catalog
from voicesmith.design.directions import fit_directions, mean_style
from voicesmith.design.sampling import SamplingParams, perturb_logits, select, softmax
from voicesmith.design.steering import (
    Scales,
    attribute,
    match_logits,
    pitch_band,
    readable_targets,
    speed_for,
    steer,
    targets,
)
from voicesmith.design.traits import VoiceTraits, parse_prompt
from voicesmith.design.transform import transform_for
from voicesmith.engine.base import StockVoice, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH, BRITISH_ENGLISH, Language
from voicesmith.errors import ValidationError


@dataclass(frozen=True)
class DesignedVoice:
    style: VoiceStyle
    language: Language  # the language the voice speaks (its voices' language)
    traits: VoiceTraits
    recipe: dict[str, Any]  # JSON-serializable: how the voice was made
    transform: dict[str, Any] | None = None  # audio.voice_transform, None = as the engine speaks


def effective_language(language: Language | None, traits: VoiceTraits
                       ) -> tuple[Language, Language | None, list[str]]:
    """The language the voice will speak, the accent it speaks English with
    (another language's voices, or None), and notes on what the prompt could not have."""
    notes: list[str] = []
    accent = traits.accent
    if language is not None and language.iso639_1 != "en":
        if accent is not None and accent != language:
            notes.append(f"the request's language ({language.name}) wins over "
                         f"'{accent.name}' in the prompt")
        return language, None, notes
    if accent is None:
        return language or AMERICAN_ENGLISH, None, notes
    if speaks_english(accent):
        return accent, None, notes
    if language is None:
        return accent, None, notes
    return language, accent, notes


def _unmeasured(voice: StockVoice, catalog: Catalog) -> VoiceEntry:
    """A stock voice the catalog never measured: assume its gender's medians."""
    same = [e for e in catalog.voices.values() if e.gender == voice.gender] or list(
        catalog.voices.values())

    def median(field: str) -> float:
        return float(np.median([getattr(e, field) for e in same]))

    return VoiceEntry(
        name=voice.name, language=voice.language.code, accent=voice.language.voice_prefix,
        gender=voice.gender, f0_median_hz=median("f0_median_hz"),
        f0_range_st=median("f0_range_st"), syllables_per_s=median("syllables_per_s"),
        spectral_centroid_hz=median("spectral_centroid_hz"), hnr_db=median("hnr_db"))


def _gender_pool(voices: Mapping[str, VoiceEntry], language: Language, genders: tuple[str, ...],
                 notes: list[str]) -> list[str]:
    pool = [n for n, e in voices.items() if e.language == language.code and e.gender in genders]
    if pool:
        return pool
    notes.append(f"no {'/'.join(genders)} {language.name} stock voice; English ones are used")
    pool = [n for n, e in voices.items()
            if e.language in (AMERICAN_ENGLISH.code, BRITISH_ENGLISH.code) and e.gender in genders]
    return pool or [n for n, e in voices.items() if e.gender in genders]


def _reference(voices: Mapping[str, VoiceEntry], pool: Sequence[str],
               genders: tuple[str, ...]) -> list[VoiceEntry]:
    """Whose median is "neutral": the pool if it is big enough, else the gender(s)."""
    same = [voices[n] for n in pool if voices[n].gender in genders]
    if len(same) >= 3:
        return same
    return [e for e in voices.values() if e.gender in genders]


def _offset(names: Sequence[str], stock: Mapping[str, StockVoice], scale: float,
            rng: np.random.Generator) -> NDArray[np.float64]:
    """A random mix of stock voices' deviations from their mean: stays in their span."""
    means = np.stack([mean_style(stock[n].pack) for n in names])
    deviations = means - means.mean(axis=0)
    z = rng.standard_normal(len(names))
    offset: NDArray[np.float64] = scale * (z @ deviations) / np.sqrt(len(names))
    return offset


@dataclass(frozen=True)
class _Candidates:
    genders: tuple[str, ...]
    pool: list[str]
    wanted_of: dict[str, dict[str, float]]  # targets per gender


def _candidates(traits: VoiceTraits, entries: Mapping[str, VoiceEntry], lang: Language,
                scales: Scales, notes: list[str]) -> _Candidates:
    """Which stock voices may contribute, and the targets each is matched against."""
    if traits.gender == "neutral":
        genders: tuple[str, ...] = ("female", "male")
    elif traits.gender in ("female", "male"):
        genders = (traits.gender,)
    elif traits.pitch:
        genders = ("male",) if traits.pitch < 0 else ("female",)
    else:
        genders = ("female", "male")  # the best candidate decides, after sampling noise
    pool = _gender_pool(entries, lang, genders, notes)
    if traits.gender == "neutral":
        # One set of targets, centred between the median pitches of the two
        # genders' voices it may use (the language's): all languages together
        # put it higher, among the Japanese and Chinese female voices, and the
        # blend then sounds female.
        centre = float(np.mean([np.median([attribute(e, "pitch") for e in
                                           _reference(entries, pool, (g,))]) for g in genders]))
        shared = targets(traits, _reference(entries, pool, genders), scales, centre)
        return _Candidates(genders, pool, {g: shared for g in genders})
    return _Candidates(genders, pool, {
        g: targets(traits, _reference(entries, pool, (g,)), scales, None) for g in genders})


def _weights(c: _Candidates, traits: VoiceTraits, entries: Mapping[str, VoiceEntry],
             params: SamplingParams, stock: Mapping[str, StockVoice],
             previous: Sequence[VoiceStyle], scales: Scales, rng: np.random.Generator
             ) -> tuple[dict[str, float], tuple[str, ...]]:
    """Blend weights (match + quality, repetition penalty, noise, top_k, top_p)."""
    pool, genders = c.pool, c.genders
    logits = np.concatenate([match_logits([entries[n]], c.wanted_of[entries[n].gender], scales)
                             for n in pool])
    if previous and params.repetition_penalty > 1.0:
        logits -= (sampling.REPETITION_LOGIT * (params.repetition_penalty - 1.0)
                   * repetition.logit_penalty(pool, stock, previous))
    logits = perturb_logits(logits, params.temperature, rng)
    if traits.gender is None and len(genders) == 2:
        gender = entries[pool[int(np.argmax(logits))]].gender
        keep = [i for i, n in enumerate(pool) if entries[n].gender == gender]
        pool, logits, genders = [pool[i] for i in keep], logits[keep], (gender,)
    weights = select(softmax(logits), params.top_k, params.top_p)
    chosen = {n: float(w) for n, w in zip(pool, weights, strict=True) if w > 0}
    if traits.gender == "neutral":
        chosen = _gender_balanced(chosen, entries)
    return chosen, genders


def _gender_balanced(weights: dict[str, float], entries: Mapping[str, VoiceEntry]
                     ) -> dict[str, float]:
    """Half the weight from each gender's voices, if both contribute.

    By pitch alone the closest voices to a neutral centre are low female ones,
    so an unbalanced blend sounds like a woman (measured over 4 seeds: speaker
    similarity 0.82 to female stock voices vs 0.65 to male ones; balanced and
    centred on the language's voices, 0.76 vs 0.71).
    """
    totals: dict[str, float] = {}
    for name, weight in weights.items():
        totals[entries[name].gender] = totals.get(entries[name].gender, 0.0) + weight
    if len(totals) < 2:  # top_k/top_p left one gender: nothing to balance
        return weights
    return {n: w / (len(totals) * totals[entries[n].gender]) for n, w in weights.items()}


def design_voice(prompt: str, language: Language | None, params: SamplingParams,
                 stock_voices: Mapping[str, StockVoice], previous: Sequence[VoiceStyle] = (),
                 catalog: Catalog | None = None) -> DesignedVoice:
    """Turn a description into a voice; see the module docstring for how."""
    catalog = catalog or load_catalog()
    traits = parse_prompt(prompt)
    if not stock_voices:
        raise ValidationError("the engine has no stock voices to design from")
    entries = {n: catalog.voices.get(n) or _unmeasured(v, catalog) for n, v in stock_voices.items()}
    lang, accent, notes = effective_language(language, traits)
    seed = params.effective_seed()
    rng = np.random.default_rng(seed)  # every random draw below comes from this one
    temp = params.temperature
    scales = Scales.of(catalog)

    found = _candidates(traits, entries, lang, scales, notes)
    components, genders = _weights(found, traits, entries, params, stock_voices, previous,
                                   scales, rng)
    wanted = dict(found.wanted_of[genders[0]])
    if temp > 0:  # the target itself wanders a little
        for name in sorted(wanted):
            # clipped at 2 sd: a rare tail draw must not turn "deep" into neutral
            z = float(np.clip(rng.standard_normal(), -2.0, 2.0))
            wanted[name] += temp * sampling.TARGET_JITTER * scales.sd[name] * z

    # Blend, wander, step away from earlier versions, then steer
    pack = np.zeros_like(next(iter(stock_voices.values())).pack, dtype=np.float64)
    for name, weight in components.items():
        pack += weight * stock_voices[name].pack
    same_kind = [n for n, e in entries.items() if e.gender in genders]
    offset_norm = push_norm = 0.0
    if temp > 0:
        offset = _offset(same_kind, stock_voices, temp * sampling.OFFSET_SCALE, rng)
        pack += offset[None, :]
        offset_norm = float(np.linalg.norm(offset))
    if previous and params.repetition_penalty > 1.0:
        pack, push_norm = repetition.push_away(
            pack, previous, same_kind, stock_voices,
            sampling.REPETITION_PUSH * (params.repetition_penalty - 1.0))
    accented = None
    if accent is not None:
        accented = blend_accent(pack, components, accent, traits.accent_strength, genders[0],
                                wanted, stock_voices, entries, scales, temp, rng)
        pack, components = accented.pack, accented.components
        if (note := lent_note(accented, accent, genders[0])) is not None:
            notes.append(note)
    try:
        directions = fit_directions(stock_voices, catalog.voices)
    except ValueError:  # too few measured voices (a test engine): blend without steering
        directions = {}
        notes.append("too few catalogued stock voices to steer; blended only")
    gains = {name: catalog.gain(name) for name in directions}
    reference = _reference(entries, found.pool, genders)  # what "neutral" means here
    bands = {} if "pitch" in wanted else {"pitch": pitch_band(reference, scales, temp)}
    steered = steer(pack.astype(np.float32), components, stock_voices, entries, wanted,
                    directions, gains, same_kind, bands)
    speed = speed_for(wanted, reference)
    style = VoiceStyle(pack=np.ascontiguousarray(steered.pack, dtype=np.float32), speed=speed)

    recipe: dict[str, Any] = {
        "version": 1, "language": lang.code, "gender": traits.gender or genders[0],
        "genders": list(genders), "seed": seed, "params": {**params.to_dict(), "seed": seed},
        "candidates": sorted(found.pool),
        "components": [{"voice": n, "weight": round(w, 6)}
                       for n, w in sorted(components.items(), key=lambda kv: -kv[1])],
        "targets": readable_targets(wanted),
        "steering": steered.moves, "predicted": steered.predicted,
        "offset_norm": round(offset_norm, 4),
        "repetition": {"previous": len(previous), "push_norm": round(push_norm, 4)},
        "speed": round(speed, 4), "notes": notes,
    }
    if accented is not None:
        recipe["accent"] = accented.recipe
    # the last stage: what the blend cannot do (age, breath, rasp, loudness, emotion)
    transform = transform_for(traits, traits.gender or genders[0])
    if transform is not None:
        recipe["transform"] = transform
    return DesignedVoice(style=style, language=lang, traits=traits, recipe=recipe,
                         transform=transform)
