"""The design suite's paired acoustic checks: does each trait move what it should?

Each pair is a prompt with one trait and the same prompt without it ("A
little girl" / "A woman", "An elderly man" / "A man"), designed with the same
seed and reading the same text, so the two differ by what the trait did to
the design (its blend, pace and voice transform) and nothing else. Each
sample is measured with Praat (``evaluation.voice_measures``) and the
suite's speaking rate, and the trait's rule is checked on the differences,
trait minus base:

==========  ========================================================
trait       passes when
==========  ========================================================
child       F0 up, and F1/F2 up (their mean shift; neither down)
elderly     speaking rate down, and jitter up or HNR down
whisper     voiced fraction down
breathy     HNR down
raspy       HNR down or jitter up (raspy, gravelly)
loud        RMS level up (loud or shouting vs soft-spoken)
angry       RMS level up or F0 range up (vs calm)
sad         speaking rate down and F0 down (vs cheerful)
accent      another voice (speaker similarity below the suite's
            distinct-voice threshold), still intelligible (WER <= 10 %)
==========  ========================================================

"Up" and "down" mean beyond a noise floor, the larger of two spreads, each
the median absolute difference of the measure between two utterances of one
voice:

* real speech: two sentences of one LibriSpeech test-other speaker (6
  speakers x 10 utterances, 270 same-speaker pairs, ``../shared/data``): how
  much a person varies from one sentence to the next. A trait must move the
  voice further than that, or a listener could not tell it from the same
  person reading another line. Measured in every full run (Praat on the 60
  utterances, 15-25 s on 2 cores); ``--quick`` and a checkout without the
  data use the figures below;
* the stock voices: each of the 28 English stock voices reading the suite's
  two texts: the engine's and the instruments' own variation on synthetic
  speech. Too slow to redo in each run (56 syntheses), so fixed here; each
  run measures its 6 same-voice similarity voices the same way and reports
  their spread beside it. The speaking rate comes from this source only
  (LibriSpeech here has no transcripts to count syllables in).

Measured when this module was written:

=============  ===========  ===========  ===========
measure        real speech  stock        floor
=============  ===========  ===========  ===========
median F0      1.00 st      0.44 st      1.00 st
F0 range       1.23 st      0.91 st      1.23 st
F1             1.66 st      1.20 st      1.66 st
F2             0.79 st      0.87 st      0.87 st
F1/F2 mean     0.84 st      0.40 st      0.84 st
HNR            1.21 dB      0.57 dB      1.21 dB
jitter         17.3 %       5.8 %        17.3 %
shimmer        10.6 %       9.0 %        10.6 %
voiced frac.   0.061        0.026        0.061
RMS level      1.16 dB      0.26 dB      1.16 dB
speaking rate  -            5.5 %        5.5 %
=============  ===========  ===========  ===========

The medians of different sentences overstate the noise of a pair, which
reads the same text (no vowel or intonation difference between the two), so
a floor is a conservative bar; the 90th percentiles (F0 3.6 st, F1 5.7 st,
HNR 3.3 dB, RMS 3.6 dB) are mostly that text difference and would reject
effects a listener hears at once. Jitter, shimmer and rate are compared as
log ratios (17.3 % = x1.19). The same design drawn with 7 seeds (another
blend, no trait) spreads about as much (median F0 0.9 st, HNR 0.6 dB, RMS
0.6 dB, rate 4.6 %), so a trait that only moved the blend would not pass.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from voicesmith.evaluation.voice_measures import VoiceMeasures, voice_measures


@dataclass(frozen=True)
class Pair:
    """``prompt`` asks for ``trait``; ``base`` is the same request without it."""

    trait: str
    label: str
    prompt: str
    base: str
    request_language: str | None = "en"  # the text is English: accents speak it too


def load_pairs(path: Path) -> list[Pair]:
    """Trait pairs from a JSONL file, one ``{"trait", "prompt", "base"}`` object per
    line (optional ``label`` and ``request_language``): a held-out set checked
    exactly as the built-in pairs are. ValueError names the line at fault."""
    pairs: list[Pair] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            trait, prompt, base = str(row["trait"]), str(row["prompt"]), str(row["base"])
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a pair ({exc})") from exc
        if trait not in RULES:
            raise ValueError(f"{path}:{number}: unknown trait {trait!r}; "
                             f"known: {', '.join(sorted(RULES))}")
        pairs.append(Pair(trait, str(row.get("label") or f"{trait}-{number}"), prompt, base,
                          row.get("request_language", "en")))
    if not pairs:
        raise ValueError(f"{path}: no pairs")
    return pairs


PAIRS: tuple[Pair, ...] = (
    Pair("child", "girl", "A little girl", "A woman"),
    Pair("child", "boy", "A little boy", "A man"),
    Pair("child", "girl-story", "A young girl reading a story", "A woman reading a story"),
    Pair("elderly", "elderly-man", "An elderly man", "A man"),
    Pair("elderly", "old-woman", "An old woman", "A woman"),
    Pair("elderly", "75-man-story", "A 75-year-old man telling a story", "A man telling a story"),
    Pair("whisper", "whispering-woman", "A whispering woman", "A woman"),
    Pair("whisper", "man-whispering", "A man whispering", "A man"),
    Pair("breathy", "breathy-woman", "A breathy woman", "A woman"),
    Pair("breathy", "breathy-man", "A man with a breathy voice", "A man"),
    Pair("raspy", "raspy-man", "A raspy man", "A man"),
    Pair("raspy", "gravelly-woman", "A woman with a gravelly voice", "A woman"),
    Pair("raspy", "gravelly-news", "A gravelly-voiced man reading the news",
         "A man reading the news"),
    Pair("loud", "loud-man", "A loud man", "A soft-spoken man"),
    Pair("loud", "shouting-woman", "A woman shouting", "A woman speaking softly"),
    Pair("angry", "angry-man", "An angry man", "A calm man"),
    Pair("angry", "angry-woman", "An angry woman", "A calm woman"),
    Pair("sad", "sad-woman", "A sad woman", "A cheerful woman"),
    Pair("sad", "sad-man", "A sad man", "A cheerful man"),
    Pair("accent", "french-man", "A man with a French accent", "A man"),
    Pair("accent", "indian-woman", "A woman with an Indian accent", "A woman"),
    Pair("accent", "spanish-man", "A man with a strong Spanish accent", "A man"),
    Pair("accent", "japanese-woman", "A woman with a Japanese accent", "A woman"),
    Pair("accent", "chinese-man", "A man with a slight Chinese accent", "A man"),
)
# --quick: one pair per trait, sharing bases
QUICK_PAIR_LABELS = frozenset({
    "girl", "elderly-man", "whispering-woman", "breathy-woman", "raspy-man", "loud-man",
    "angry-man", "sad-man", "french-man",
})

# name -> (what it is, unit); the shifts are trait minus base
MEASURES: dict[str, tuple[str, str]] = {
    "f0": ("F0", "st"), "f0_range": ("F0 range", "st"), "f1": ("F1", "st"),
    "f2": ("F2", "st"), "formants": ("F1/F2", "st"), "hnr": ("HNR", "dB"),
    "jitter": ("jitter", "%"), "shimmer": ("shimmer", "%"), "voiced": ("voiced fraction", ""),
    "rms": ("RMS", "dB"), "rate": ("rate", "%"), "similarity": ("similarity", ""),
    "wer": ("WER", ""),
}
NOISE_MEASURES = ("f0", "f0_range", "f1", "f2", "formants", "hnr", "jitter", "shimmer",
                  "voiced", "rms", "rate")
# The docstring's figures: real speech (used with --quick or without LibriSpeech)
# and the 28 English stock voices (always).
REAL_SPEECH_SPREAD: dict[str, float] = {
    "f0": 1.00, "f0_range": 1.226, "f1": 1.656, "f2": 0.794, "formants": 0.842, "hnr": 1.208,
    "jitter": 17.3, "shimmer": 10.58, "voiced": 0.061, "rms": 1.163, "rate": math.nan,
}
STOCK_SPREAD: dict[str, float] = {
    "f0": 0.442, "f0_range": 0.914, "f1": 1.203, "f2": 0.869, "formants": 0.399, "hnr": 0.566,
    "jitter": 5.76, "shimmer": 8.96, "voiced": 0.026, "rms": 0.258, "rate": 5.49,
}
REAL_SPEECH_DIR = ("librispeech", "test-other")


def _semitones(a: float, b: float) -> float:
    return 12.0 * math.log2(b / a) if a > 0 and b > 0 else math.nan


def _log_percent(a: float, b: float) -> float:
    return 100.0 * math.log(b / a) if a > 0 and b > 0 else math.nan


def shifts(trait: VoiceMeasures, base: VoiceMeasures, trait_rate: float = math.nan,
           base_rate: float = math.nan) -> dict[str, float]:
    """Each measure's change from ``base`` to ``trait``: semitones for F0 and formants,
    dB for HNR and level, log-ratio percent for jitter, shimmer and rate."""
    f1 = _semitones(base.f1_hz, trait.f1_hz)
    f2 = _semitones(base.f2_hz, trait.f2_hz)
    return {
        "f0": _semitones(base.f0_hz, trait.f0_hz),
        "f0_range": trait.f0_range_st - base.f0_range_st,
        "f1": f1, "f2": f2, "formants": (f1 + f2) / 2.0,
        "hnr": trait.hnr_db - base.hnr_db,
        "jitter": _log_percent(base.jitter, trait.jitter),
        "shimmer": _log_percent(base.shimmer, trait.shimmer),
        "voiced": trait.voiced_fraction - base.voiced_fraction,
        "rms": trait.rms_db - base.rms_db,
        "rate": _log_percent(base_rate, trait_rate),
    }


Utterance = tuple[VoiceMeasures, float]  # the measures and the speaking rate (NaN: unknown)


def median_spread(groups: Iterable[Sequence[Utterance]]) -> dict[str, float]:
    """Per measure, the median |shift| between two utterances of one group (a speaker,
    a voice), over every such pair; NaN where no pair measured it."""
    spreads: dict[str, list[float]] = {m: [] for m in NOISE_MEASURES}
    for group in groups:
        for (a, rate_a), (b, rate_b) in itertools.combinations(group, 2):
            for name, value in shifts(b, a, rate_b, rate_a).items():
                if math.isfinite(value):
                    spreads[name].append(abs(value))
    return {m: float(np.median(v)) if v else math.nan for m, v in spreads.items()}


def noise_floors(real: Mapping[str, float], stock: Mapping[str, float]) -> dict[str, float]:
    """The larger of the two spreads per measure (one alone where the other is NaN)."""
    out = {}
    for name in NOISE_MEASURES:
        values = [v for v in (real.get(name, math.nan), stock.get(name, math.nan))
                  if math.isfinite(v)]
        out[name] = max(values) if values else math.nan
    return out


def real_speech_spread(data_dir: Path | None, per_speaker: int | None = None
                       ) -> dict[str, float] | None:
    """``median_spread`` of LibriSpeech test-other speakers (None: the folder is missing)."""
    if data_dir is None:
        return None
    root = data_dir.joinpath(*REAL_SPEECH_DIR)
    speakers = sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
    if not speakers:
        return None
    import soundfile as sf  # type: ignore[import-untyped]

    groups = []
    for speaker in speakers:
        files = sorted(speaker.glob("*.flac"))[:per_speaker]
        group: list[Utterance] = []
        for path in files:
            audio, rate = sf.read(path, dtype="float32")
            group.append((voice_measures(audio, rate), math.nan))
        groups.append(group)
    return median_spread(groups)


Direction = Literal["up", "down", "below", "at most"]


@dataclass(frozen=True)
class Condition:
    """``up``/``down``: the shift beyond ``scale`` x the measure's noise floor (scale 0:
    its sign only); ``below``/``at most``: the value against an absolute bound."""

    measure: str
    direction: Direction
    scale: float = 1.0

    def bound(self, floors: Mapping[str, float]) -> float:
        return floors.get(self.measure, math.nan) * self.scale

    def holds(self, value: float, floors: Mapping[str, float]) -> bool:
        bound = self.bound(floors)
        if not (math.isfinite(value) and math.isfinite(bound)):
            return False
        if self.direction == "up":
            return value > bound
        if self.direction == "down":
            return value < -bound
        if self.direction == "below":
            return value < bound
        return value <= bound

    def describe(self, floors: Mapping[str, float]) -> str:
        name, unit = MEASURES[self.measure]
        bound = self.bound(floors)
        sign = {"up": ">", "down": "<", "below": "<", "at most": "<="}[self.direction]
        if self.direction in ("below", "at most"):
            return f"{name} {sign} {bound:.3g}"
        if self.direction == "down":
            bound = -bound
        return f"{name} {sign} {bound:+.3g}{(' ' + unit) if unit else ''}".replace("+0 ", "0 ")


def up(measure: str, scale: float = 1.0) -> Condition:
    return Condition(measure, "up", scale)


def down(measure: str, scale: float = 1.0) -> Condition:
    return Condition(measure, "down", scale)


# trait -> all of (any of): "elderly" is rate down, and jitter up or HNR down
RULES: dict[str, tuple[tuple[Condition, ...], ...]] = {
    "child": ((up("f0"),), (up("f1", 0.0),), (up("f2", 0.0),), (up("formants"),)),
    "elderly": ((down("rate"),), (up("jitter"), down("hnr"))),
    "whisper": ((down("voiced"),),),
    "breathy": ((down("hnr"),),),
    "raspy": ((down("hnr"), up("jitter")),),
    "loud": ((up("rms"),),),
    "angry": ((up("rms"), up("f0_range")),),
    "sad": ((down("rate"),), (down("f0"),)),
    "accent": ((Condition("similarity", "below"),), (Condition("wer", "at most"),)),
}
TRAITS = tuple(RULES)


def _fmt(measure: str, value: float) -> str:
    name, unit = MEASURES[measure]
    if measure in ("similarity", "wer"):
        return f"{name} {value:.3f}"
    if measure == "voiced":
        return f"{name} {value:+.3f}"
    return f"{name} {value:+.1f} {unit}"


@dataclass(frozen=True)
class PairResult:
    pair: Pair
    values: dict[str, float]  # shifts, and for accents similarity and the trait's WER
    passed: bool
    measured: str  # the rule's measures, as measured


def rule_measures(trait: str) -> list[str]:
    seen: list[str] = []
    for group in RULES[trait]:
        for cond in group:
            if cond.measure not in seen:
                seen.append(cond.measure)
    return seen


def describe_rule(trait: str, floors: Mapping[str, float]) -> str:
    parts = []
    for group in RULES[trait]:
        text = " or ".join(c.describe(floors) for c in group)
        parts.append(f"({text})" if len(group) > 1 else text)
    return " and ".join(parts)


def judge(pair: Pair, values: Mapping[str, float], floors: Mapping[str, float]) -> PairResult:
    """Whether ``pair``'s measured ``values`` meet its trait's rule."""
    passed = all(any(c.holds(values.get(c.measure, math.nan), floors) for c in group)
                 for group in RULES[pair.trait])
    measured = ", ".join(_fmt(m, values.get(m, math.nan)) for m in rule_measures(pair.trait))
    return PairResult(pair, dict(values), passed, measured)


def trait_summary(results: Sequence[PairResult], floors: Mapping[str, float]
                  ) -> list[tuple[str, str, str]]:
    """One (measure, value, target) row per trait: passes, and each pair's key shift."""
    rows = []
    for trait in TRAITS:
        mine = [r for r in results if r.pair.trait == trait]
        if not mine:
            continue
        short = "; ".join(f"{'ok' if r.passed else 'FAIL'} {r.pair.label}: {r.measured}"
                          for r in mine)
        rows.append((f"  trait {trait}", f"{sum(r.passed for r in mine)}/{len(mine)} ({short})",
                     describe_rule(trait, floors)))
    return rows


def floors_markdown(real: Mapping[str, float], real_source: str, run_stock: Mapping[str, float],
                    floors: Mapping[str, float]) -> list[str]:
    lines = [("Noise floors, the larger of: real speech's median |difference| between two "
              f"utterances of one speaker ({real_source}) and the 28 English stock voices' "
              "between two texts (fixed, see `design_pairs`); this run's 6 similarity voices "
              "measured the same way, for comparison:"), "",
             "| measure | real speech | stock voices (28) | this run's 6 | floor |",
             "|---|---|---|---|---|"]
    for m in NOISE_MEASURES:
        name, unit = MEASURES[m]
        cells = [f"{v:.3g}" if math.isfinite(v) else "-"
                 for v in (real.get(m, math.nan), STOCK_SPREAD[m],
                           run_stock.get(m, math.nan), floors[m])]
        lines.append(f"| {name}{(' (' + unit + ')') if unit else ''} | " + " | ".join(cells)
                     + " |")
    return lines


def results_markdown(results: Sequence[PairResult], floors: Mapping[str, float]) -> list[str]:
    lines = ["| trait | prompt | without the trait | measured (trait - base) | needed | |",
             "|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r.pair.trait} | {r.pair.prompt} | {r.pair.base} | {r.measured} | "
                     f"{describe_rule(r.pair.trait, floors)} | "
                     f"{'pass' if r.passed else '**FAIL**'} |")
    return lines
