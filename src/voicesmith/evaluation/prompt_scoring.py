"""Scoring prompt understanding: expected traits against what the parser read.

The corpus format and the rules are in ``prompt_corpus/README.md``: every
expected trait is one check, recovered or not; a check read the opposite way
(the other sign, the other gender, an age two bands off, a negated label) is
also a contradiction. Pure functions, no audio: fast enough for unit tests.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from voicesmith.design.lexicon import AGES, AXES

SIGN_THRESHOLD = 0.15  # an axis at least this far from 0 has a direction
NEUTRAL_BAND = 0.3  # "0": within this of 0
LABEL_KEYS = ("emotions", "timbre")
TRAIT_KEYS = ("gender", "age", *AXES, "accent", *LABEL_KEYS)


@dataclass(frozen=True)
class Check:
    """One expected trait of one prompt, and what was read."""

    language: str
    prompt: str
    trait: str  # "gender", "pitch", "emotions:sad", ...
    expected: str
    got: str
    ok: bool
    contradiction: bool


@dataclass(frozen=True)
class CorpusEntry:
    language: str
    prompt: str
    expect: Mapping[str, Any]


def load_corpus(folder: Path | None = None) -> list[CorpusEntry]:
    """Every ``<language>.jsonl`` in ``folder`` (default: the corpus in the package)."""
    files: Iterable[Any]
    if folder is None:
        files = [f for f in resources.files("voicesmith.evaluation.prompt_corpus").iterdir()
                 if f.name.endswith(".jsonl")]
    else:
        files = sorted(folder.glob("*.jsonl"))
    entries = []
    for file in sorted(files, key=lambda f: f.name):
        language = file.name.removesuffix(".jsonl")
        for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{file.name}:{n}: not JSON ({exc})") from exc
            unknown = set(row.get("expect", {})) - set(TRAIT_KEYS)
            if unknown:
                raise ValueError(f"{file.name}:{n}: unknown trait keys {sorted(unknown)}")
            entries.append(CorpusEntry(language, str(row["prompt"]), row.get("expect", {})))
    return entries


def _age_distance(a: str, b: str) -> int:
    return abs(AGES.index(a) - AGES.index(b)) if a in AGES and b in AGES else 0


def check_traits(entry: CorpusEntry, traits: Mapping[str, Any]) -> list[Check]:
    """The checks of one prompt against its parsed ``voice_traits``."""
    checks = []

    def add(trait: str, expected: str, got: object, ok: bool, contra: bool = False) -> None:
        checks.append(Check(entry.language, entry.prompt, trait, expected, str(got), ok,
                            contra and not ok))

    for key, want in entry.expect.items():
        got = traits.get(key)
        if key == "gender":
            add(key, want, got, got == want,
                {got, want} == {"male", "female"})
        elif key == "age":
            allowed = [want] if isinstance(want, str) else list(want)
            add(key, "|".join(allowed), got, got in allowed,
                isinstance(got, str) and min(_age_distance(got, a) for a in allowed) >= 2)
        elif key in AXES:
            value = float(got or 0.0)
            if want == "0":
                add(key, want, round(value, 2), abs(value) <= NEUTRAL_BAND)
            else:
                sign = 1.0 if want == "+" else -1.0
                add(key, want, round(value, 2), value * sign >= SIGN_THRESHOLD,
                    value * sign <= -SIGN_THRESHOLD)
        elif key == "accent":
            add(key, want, got, got == want)
        elif key in LABEL_KEYS:
            labels = got if isinstance(got, Mapping) else {}
            for label in want:
                strength = float(labels.get(label, 0.0))
                add(f"{key}:{label}", "+", round(strength, 2), strength > 0, strength < 0)
    return checks


@dataclass
class Scores:
    checks: list[Check]
    ignored: dict[str, Counter[str]]  # language -> ignored word counts
    parse_ms: list[float]

    def _rate(self, keep: Callable[[Check], bool]) -> tuple[float, int]:
        chosen = [c for c in self.checks if keep(c)]
        return (sum(c.ok for c in chosen) / len(chosen) if chosen else float("nan")), len(chosen)

    def languages(self) -> list[str]:
        return sorted({c.language for c in self.checks}, key=lambda lang: (lang != "en", lang))

    def accuracy(self, language: str | None = None, trait: str | None = None
                 ) -> tuple[float, int]:
        return self._rate(lambda c: (language is None or c.language == language)
                          and (trait is None or c.trait.split(":")[0] == trait))

    def contradictions(self) -> list[Check]:
        return [c for c in self.checks if c.contradiction]

    def misses(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def score_corpus(entries: Iterable[CorpusEntry],
                 read: Callable[[str], Mapping[str, Any]]) -> Scores:
    """Read every prompt with ``read`` (prompt -> voice_traits) and check it."""
    import time

    checks: list[Check] = []
    ignored: dict[str, Counter[str]] = {}
    times = []
    for entry in entries:
        t0 = time.perf_counter()
        traits = read(entry.prompt)
        times.append((time.perf_counter() - t0) * 1000)
        checks.extend(check_traits(entry, traits))
        ignored.setdefault(entry.language, Counter()).update(traits.get("ignored", ()))
    return Scores(checks, ignored, times)
