"""What a word can ask of a voice: the effect language of the vocabulary files.

The words themselves are data (``vocabulary/*.toml``); this module says what
their effects mean. Effects are a small language so the tables stay readable:

* ``pitch=-1`` an explicit push on an axis (about -2..2; 1 = "deep", "fast");
* ``pace~-0.3`` an *implied* push: used only when nothing in the prompt
  addresses that axis explicitly ("calm" slows a voice a little unless the
  prompt also says "fast");
* ``gender=male`` an explicit gender, ``gender~male`` an implied one (weaker);
* ``age=elderly``, ``years=70`` (an age in years), ``accent=british``;
* ``emotion:calm``, ``timbre:husky``, ``style:narrator`` labels reported back.

``@word`` (a reference to an English row) is resolved by the vocabulary loader.

Axes: pitch (+ higher), pace (+ faster), energy (+ livelier), brightness
(+ brighter, - darker/warmer), clarity (+ clear/smooth, - husky/breathy/raspy),
expressiveness (+ animated, wider pitch range; - monotone), loudness (+ loud,
shouting; - soft, whispered: the synthesis-time transform's gain and tilt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AXES = ("pitch", "pace", "energy", "brightness", "clarity", "expressiveness", "loudness")
GENDERS = ("female", "male", "neutral")
AGES = ("child", "teen", "young", "adult", "middle-aged", "elderly")
# Upper bounds (exclusive) in years of each age band but the last.
AGE_LIMITS = (13, 20, 30, 45, 65)
LABEL_KINDS = ("emotion", "timbre", "style")
_VALUE_KINDS = frozenset({"gender", "age", "accent"})


@dataclass(frozen=True)
class Effect:
    """One thing a word asks for."""

    kind: str  # an axis, "gender", "age", "accent", "emotion", "timbre", "style"
    value: float | str
    implied: bool = False




def age_band(years: int) -> str:
    """The age band of an age in years: 7 -> child, 70 -> elderly."""
    for limit, age in zip(AGE_LIMITS, AGES, strict=False):
        if years < limit:
            return age
    return AGES[-1]


def parse_effects(spec: str) -> tuple[Effect, ...]:
    """``"gender~male pitch=-0.8 emotion:calm"`` -> its effects; raises ValueError."""
    effects: list[Effect] = []
    for item in spec.split():
        if ":" in item:
            kind, label = item.split(":", 1)
            if kind not in LABEL_KINDS:
                raise ValueError(f"unknown label kind in {item!r}")
            effects.append(Effect(kind, label))
            continue
        parts = re.split(r"([=~])", item, maxsplit=1)
        if len(parts) != 3 or parts[0] not in (*AXES, *_VALUE_KINDS, "years") or not parts[2]:
            raise ValueError(f"unknown effect {item!r}")
        kind, op, value = parts
        parsed: float | str = value if kind in _VALUE_KINDS else float(value)
        effects.append(Effect(kind, parsed, implied=op == "~"))
    return tuple(effects)
