"""From a prompt in plain words to the traits of a voice (``parse_prompt``).

The parser reads left to right, matching the longest known phrase first
("high pitched" before "high"), in the prompt's own language (English,
Spanish, French, German, Italian, Portuguese, Russian, Chinese, Japanese,
Korean, Hindi) and in English. What it understands is data in
``vocabulary/`` (words, personas); how it reads is in ``reading.py``.

Rules, so that results are predictable and can be explained back to the user:

* Strength. A trait word has strength 1 ("deep": pitch -1). Intensifiers and
  hedges right before it multiply it: "very" 1.5, "extremely" 2, "much" 1.5,
  "slightly"/"a bit" 0.5, "somewhat" 0.6 (they stack; axes clamp to [-2, 2]).
* Negation ("not", "never", "no", "without", "isn't", ... up to the next trait
  word, within the clause) turns a word into a weak push the other way: 0.3 of
  its plain strength, whatever intensifier sits in between. So "not too fast" is
  pace -0.3 (a touch unhurried), "not deep" is pitch +0.3. A negated "male" or
  "female" is a weak vote for the other gender; a negated age is dropped.
* Implied traits. Some words imply traits: "baritone" is male and low,
  "soprano" female and high, "she" female, "calm" slows the pace a little, an
  elderly voice is slower. Implied pushes on an axis count only when no word in
  the prompt addresses that axis explicitly ("a calm but fast voice" is fast).
* Conflicts. On an axis, words pushing the same way do not add up (the
  strongest one counts: "deep, low, booming" is as deep as "deep"), and words
  pushing opposite ways cancel (net = strongest up + strongest down: "deep but
  not too deep" is moderately deep, "high-pitched and deep" is neutral). For
  gender every mention is a vote (explicit words 1, implied 0.7); the largest
  total wins, a tie goes to the last mention, and the confidence is the
  winner's share. A hedged gender ("almost masculine") is a weak vote. For
  age and accent the last mention wins; a negated age ("older, but not
  elderly") moves a matching age one band younger. Every real conflict is
  reported in ``conflicts``.
* Ages in numbers and words ("seven years old", "a 7-year-old", "in her late
  sixties", "fifties", "seventy-something", "70歳", "лет 70") set ``age_years``
  and the band; "N years old" is never "old".
* Personas ("drill sergeant", "sounds like a radio DJ") bring a documented
  bundle of implied traits (``vocabulary/personas.toml``); the last one named
  is ``persona``.
* Misspellings ("womn", "hihg") are read as the word one edit away when they
  are not words of their own, and reported in ``corrections``.
* Unknown words are never an error: content words the parser does not know are
  listed in ``ignored`` so a client can see what had no effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voicesmith.design.lexicon import AXES
from voicesmith.design.mentions import ACCENTS
from voicesmith.design.reading import read_prompt
from voicesmith.design.spelling import load_word_lists
from voicesmith.design.vocabulary import vocabularies
from voicesmith.engine.languages import Language


@dataclass(frozen=True)
class VoiceTraits:
    """What a prompt asks of a voice. Axes are about -2..2, 0 = not asked for."""

    gender: str | None = None  # "female" | "male" | "neutral" | None
    gender_confidence: float = 0.0
    age: str | None = None  # child, teen, young, adult, middle-aged, elderly
    age_years: int | None = None  # when the prompt gives an age ("in his 70s": 75)
    pitch: float = 0.0  # - deeper, + higher
    pace: float = 0.0  # - slower, + faster
    energy: float = 0.0  # - calmer, + livelier
    brightness: float = 0.0  # - darker/warmer, + brighter
    clarity: float = 0.0  # - husky/breathy/raspy, + clear/smooth
    expressiveness: float = 0.0  # - monotone, + animated
    loudness: float = 0.0  # - soft, quiet, whispered; + loud, shouting
    accent: Language | None = None
    accent_strength: float = 1.0  # "slight" 0.5, "an accent" 1.0, "strong" 1.5
    emotions: Mapping[str, float] = field(default_factory=dict)
    timbre: Mapping[str, float] = field(default_factory=dict)
    style: tuple[str, ...] = ()
    matched: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    persona: str | None = None
    corrections: tuple[str, ...] = ()
    prompt_language: str = "en"

    def axis(self, name: str) -> float:
        return float(getattr(self, name))

    def to_dict(self) -> dict[str, Any]:
        """JSON for the API's ``voice_traits`` field and the CLI."""
        return {
            "gender": self.gender, "gender_confidence": round(self.gender_confidence, 3),
            "age": self.age,
            **{axis: round(self.axis(axis), 3) for axis in AXES},
            "accent": self.accent.code if self.accent else None,
            "accent_strength": round(self.accent_strength, 3) if self.accent else None,
            "emotions": {k: round(v, 3) for k, v in self.emotions.items()},
            "timbre": {k: round(v, 3) for k, v in self.timbre.items()},
            "style": list(self.style), "matched": list(self.matched),
            "ignored": list(self.ignored), "conflicts": list(self.conflicts),
            "notes": list(self.notes),
            "age_years": self.age_years, "persona": self.persona,
            "corrections": list(self.corrections), "prompt_language": self.prompt_language,
        }


def _combine(values: list[tuple[float, bool, bool, str]]) -> tuple[float, str | None]:
    """One axis: explicit words if any, else implied; strongest up + strongest down."""
    explicit = [v for v in values if not v[1]]
    chosen = explicit or values
    if not chosen:
        return 0.0, None
    up = max((v for v in chosen if v[0] > 0), key=lambda v: v[0], default=None)
    down = min((v for v in chosen if v[0] < 0), key=lambda v: v[0], default=None)
    net = (up[0] if up else 0.0) + (down[0] if down else 0.0)
    conflict = None
    if up and down and not up[2] and not down[2] and min(up[0], -down[0]) >= 0.5 and explicit:
        conflict = f"'{down[3]}' and '{up[3]}' pull opposite ways; they cancel to {net:+.2f}"
    return max(-2.0, min(2.0, net)), conflict


def _gender(votes: list[tuple[str, float, str]]) -> tuple[str | None, float, str | None]:
    if not votes:
        return None, 0.0, None
    totals: dict[str, float] = {}
    last: dict[str, int] = {}
    for i, (value, weight, _) in enumerate(votes):
        totals[value] = totals.get(value, 0.0) + weight
        last[value] = i
    winner = max(totals, key=lambda g: (totals[g], last[g]))
    strongest = max(w for v, w, _ in votes if v == winner)
    confidence = totals[winner] / sum(totals.values()) * strongest
    conflict = None
    if len(totals) > 1:
        words = ", ".join(f"'{p}'" for _, _, p in votes)
        conflict = f"gender: {words} disagree; {winner} has the most weight"
    return winner, confidence, conflict


def load_vocabulary() -> None:
    """Load the vocabularies and word lists (about 1 s) so that no request waits for them."""
    vocabularies()
    load_word_lists()


def parse_prompt(prompt: str) -> VoiceTraits:
    """Read the traits of a voice from a free-text description. Never raises."""
    state = read_prompt(prompt if isinstance(prompt, str) else "")
    conflicts: list[str] = []
    axes: dict[str, float] = {}
    for axis in AXES:
        axes[axis], conflict = _combine(state.axes[axis])
        if conflict:
            conflicts.append(f"{axis}: {conflict}")
    gender, confidence, gender_conflict = _gender(state.gender_votes)
    if {"male", "female"} <= state.negated_genders:  # "ni masculine ni féminine"
        gender, confidence, gender_conflict = "neutral", 0.8, None
    age, years = state.age()
    if gender_conflict:
        conflicts.append(gender_conflict)
    accent, accent_strength = state.accent()
    for kind, found in (("age", [a[:2] for a in state.ages]),
                        ("accent", [a[:2] for a in state.accents])):
        if len({v for v, _ in found}) > 1:
            conflicts.append(f"{kind}: {', '.join(repr(p) for _, p in found)} disagree; "
                             f"the last ('{found[-1][1]}') wins")
    return VoiceTraits(
        gender=gender, gender_confidence=confidence,
        age=age, age_years=years,
        accent=ACCENTS.get(accent) if accent else None,
        accent_strength=round(accent_strength, 3) if accent in ACCENTS else 1.0,
        emotions=state.label_group("emotion"), timbre=state.label_group("timbre"),
        style=tuple({**state.implied_labels["style"], **state.labels["style"]}), matched=tuple(state.matched),
        ignored=tuple(dict.fromkeys(state.ignored)), conflicts=tuple(conflicts),
        notes=tuple(state.notes), persona=state.personas[-1] if state.personas else None,
        corrections=tuple(state.corrections), prompt_language=state.language, **axes,
    )

