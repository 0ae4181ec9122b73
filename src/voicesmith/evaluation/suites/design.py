"""The design suite: does a prompt's every word have the measured effect it asks for?

Each case designs a voice exactly as ``POST /v2/voice_designs`` does
(``design_voice`` with the API's default sampling parameters and a fixed seed,
so the run is reproducible; with ``--url``, through that endpoint itself),
has it speak one sentence and measures the speech. Checks, each pass or fail:

* gender: the median F0 falls on the asked gender's side of the boundary
  between the English stock voices' male and female medians (their geometric
  mean, computed from the catalog, ~141 Hz); a whisper has no F0, so a
  whispered voice must lean to its gender's side by the speaker encoder
  (closer to the female prompts' mean voice than to the male ones', or the
  reverse);
* pitch order: within one gender, deep < neutral < high (and the degree words
  "slightly" / "much" keep their order too), by median F0;
* pace order: slow < neutral < fast, by speaking rate (syllables per second
  of speech);
* accent / language: the voice speaks the language the prompt names;
* distinct: voices of different prompts are told apart: their speaker
  similarity is below the lowest same-voice similarity of the stock voices
  (one stock voice reading two texts), i.e. below what one voice scores with
  itself;
* neutral: a gender-neutral prompt's voice leans to neither gender (see
  ``_neutral_checks``);
* reproducible: the same prompt, parameters and seed give byte-identical
  audio; temperature 0 with no seed gives identical audio twice;
* intelligible: every sample's word error rate (Whisper tiny.en) is at most
  10 %, also for a few prompts designed again with other seeds and for every
  sample of the trait pairs;
* trait: each trait against the same prompt without it (same seed and
  text), measured with Praat: child F0 and formants up, elderly slower and
  rougher, whisper unvoiced, breathy/raspy HNR and jitter, loud/angry level,
  sad slower and lower, an accent another voice (``design_pairs``, where the
  thresholds are justified from real speech and the stock voices);
* naturalness: the DistillMOS of the samples with a voice transform, on
  average, at most 0.4 below the stock voices' (the same-voice similarity
  voices reading the suite's text).

Adherence is the share of checks passed; the target is 95 %, with every
sample's WER at most 10 %, the naturalness check passed and no prompt crashing.
"""

from __future__ import annotations

import functools
import itertools
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.catalog import load_catalog
from voicesmith.design.sampling import SamplingParams
from voicesmith.design.traits import parse_prompt
from voicesmith.design.transform import transform_for
from voicesmith.design.voice_builder import design_voice
from voicesmith.engine.base import SAMPLE_RATE, SpeechEngine
from voicesmith.engine.languages import resolve_language
from voicesmith.evaluation.asr import word_error_rate
from voicesmith.evaluation.pitch import median_f0
from voicesmith.evaluation.plots import scatter_levels
from voicesmith.evaluation.quality import naturalness_mos
from voicesmith.evaluation.rate import speaking_rate
from voicesmith.evaluation.remote import (
    Designer,
    DesignSample,
    RemoteSuiteContext,
    SpeechUnavailable,
    api_base,
    http_designer,
)
from voicesmith.evaluation.speaker import speaker_embedding
from voicesmith.evaluation.suites import design_pairs
from voicesmith.evaluation.suites.base import SuiteContext, SuiteReport
from voicesmith.evaluation.suites.design_cases import (
    CASES,
    DISTINCT_PAIRS,
    QUICK_LABELS,
    SWEEP_LABELS,
    SWEEP_SEEDS,
    Case,
)
from voicesmith.evaluation.suites.design_pairs import PAIRS, QUICK_PAIR_LABELS, Pair, PairResult
from voicesmith.evaluation.voice_measures import VoiceMeasures, voice_measures
from voicesmith.voices.speaking import SpeakingVoice, speak_all

NAME = "design"
TEXT = ("The weather will be mild this afternoon, with a light breeze from the west "
        "and clear skies by the evening.")
OTHER_TEXT = "A quick brown fox jumps over the lazy dog near the riverbank at dawn."
SEED = 20261130
TARGET_ADHERENCE = 0.95
TARGET_WER = 0.10
MOS_MARGIN = 0.4  # transformed samples' mean DistillMOS >= the stock voices' mean - this
CEILING_VOICES = ("af_heart", "am_michael", "bf_emma", "bm_george", "af_bella", "am_puck")


@dataclass
class Measured:
    case: Case
    seed: int = SEED
    f0_hz: float = math.nan
    rate_sps: float = math.nan
    wer: float = math.nan
    language: str = ""
    speed: float = 1.0
    components: list[str] = field(default_factory=list)
    error: str | None = None
    embedding: NDArray[np.float32] | None = None
    voice: VoiceMeasures | None = None  # Praat measures (trait pairs)
    mos: float = math.nan  # DistillMOS (samples with a transform, trait pairs)
    transformed: bool = False  # the prompt asks for a voice transform


@dataclass(frozen=True)
class Check:
    kind: str
    name: str
    passed: bool
    detail: str


def engine_designer(engine: SpeechEngine) -> Designer:
    """Design and speak in-process, exactly as the server's design endpoint does."""

    def make(case: Case, params: SamplingParams, text: str) -> DesignSample:
        language = resolve_language(case.request_language) if case.request_language else None
        designed = design_voice(case.prompt, language, params, engine.stock_voices)
        # the design's voice transform too, as its sample and every speech path apply it
        voice = SpeakingVoice("design", designed.style, designed.language, designed.transform)
        audio = speak_all(engine, text, voice)
        return DesignSample(audio, designed.language.code, designed.style.speed,
                            [c["voice"] for c in designed.recipe["components"][:3]])

    return make


def asks_transform(prompt: str) -> bool:
    """Whether the prompt's design gets a voice transform (also for designs over HTTP)."""
    traits = parse_prompt(prompt)
    return transform_for(traits, traits.gender or "female") is not None


def _measure(case: Case, designer: Designer, seed: int = SEED, *,
             wer_only: bool = False, acoustics: bool = False) -> Measured:
    """``acoustics``: also the Praat measures and DistillMOS, and the WER whatever the
    voice's language (a trait pair's text is English, accented or not)."""
    out = Measured(case, seed=seed, transformed=asks_transform(case.prompt))
    try:
        sample = designer(case, SamplingParams(seed=seed), TEXT)
    except SpeechUnavailable:  # no design endpoint at --url: the suite cannot run at all
        raise
    except Exception as exc:  # a crash is a result here: reported, counted as failed
        out.error = f"{type(exc).__name__}: {exc}"
        return out
    audio = sample.audio
    out.language, out.speed, out.components = sample.language, sample.speed, sample.components
    if sample.language.startswith("en") or acoustics:  # tiny.en hears English only
        out.wer = word_error_rate(audio, SAMPLE_RATE, TEXT)
    if wer_only:
        return out
    out.f0_hz = median_f0(audio, SAMPLE_RATE)
    out.rate_sps = speaking_rate(audio, SAMPLE_RATE, TEXT)
    out.embedding = speaker_embedding(audio, SAMPLE_RATE)
    if acoustics:
        out.voice = voice_measures(audio, SAMPLE_RATE)
    if acoustics or out.transformed:
        out.mos = naturalness_mos(audio, SAMPLE_RATE)
    return out


def gender_boundary_hz() -> float:
    """Geometric mean of the English stock voices' male and female median F0s."""
    voices = load_catalog().voices.values()

    def median(gender: str) -> float:
        return float(np.median([v.f0_median_hz for v in voices
                                if v.gender == gender and v.language.startswith("en")]))

    return math.sqrt(median("male") * median("female"))


@dataclass
class StockReference:
    """The stock voices the suite compares with, each reading ``TEXT`` and ``OTHER_TEXT``.

    ``same``: each voice's similarity with itself across the texts (the distinct
    threshold); ``utterances``: its two readings' Praat measures and rates (their
    spread is reported beside the trait pairs' fixed stock-voice floor); ``mos``:
    DistillMOS of its ``TEXT`` reading (the naturalness reference).
    """

    same: dict[str, float] = field(default_factory=dict)
    utterances: dict[str, list[design_pairs.Utterance]] = field(default_factory=dict)
    mos: dict[str, float] = field(default_factory=dict)

    @property
    def ceiling(self) -> float:
        return min(self.same.values()) if self.same else 0.85


def stock_reference(engine: SpeechEngine) -> StockReference:
    out = StockReference()
    for name in [n for n in CEILING_VOICES if n in engine.stock_voices]:
        v = engine.stock_voices[name]
        voice = SpeakingVoice(name, v.style, v.language)
        audio = [speak_all(engine, t, voice) for t in (TEXT, OTHER_TEXT)]
        a, b = (speaker_embedding(x, SAMPLE_RATE) for x in audio)
        out.same[name] = float(a @ b)
        out.utterances[name] = [(voice_measures(x, SAMPLE_RATE), speaking_rate(x, SAMPLE_RATE, t))
                                for x, t in zip(audio, (TEXT, OTHER_TEXT), strict=True)]
        out.mos[name] = naturalness_mos(audio[0], SAMPLE_RATE)
    return out


def _order_checks(results: Sequence[Measured], attr: str, group_attr: str, level_attr: str,
                  kind: str) -> list[Check]:
    """Adjacent pairs of each group, sorted by requested level, must be ordered."""
    groups: dict[str, list[Measured]] = {}
    for m in results:
        group = getattr(m.case, group_attr)
        if group is not None:
            groups.setdefault(group, []).append(m)
    checks = []
    for group, members in groups.items():
        members.sort(key=lambda m: getattr(m.case, level_attr))
        for lo, hi in itertools.pairwise(members):
            a, b = getattr(lo, attr), getattr(hi, attr)
            ok = bool(a < b)  # NaN (a crash) compares False
            checks.append(Check(kind, f"{group}: {lo.case.label} < {hi.case.label}", ok,
                                f"{a:.2f} < {b:.2f}"))
    return checks


def _sweep_checks(sweep: Sequence[Measured]) -> list[Check]:
    return [Check("intelligible (other seeds)", f"{m.case.label} seed {m.seed}",
                  m.error is None and m.wer <= TARGET_WER,
                  m.error or f"WER {m.wer:.3f}") for m in sweep]


def _neutral_checks(results: Sequence[Measured]) -> list[Check]:
    """A gender-neutral voice sits between the genders, not with one of them.

    Its lean (similarity to the female prompts' mean voice minus to the male
    prompts') must be under half the gendered prompts' own mean lean.
    """
    english = [m for m in results if m.embedding is not None and m.language.startswith("en")]
    neutral = [m for m in english if m.case.gender is None]
    lean, gendered = _gender_lean(results)
    if not neutral or lean is None:
        return []
    return [Check("neutral", m.case.label, bool(abs(lean(e)) < 0.5 * gendered),
                  f"lean {lean(e):+.3f} vs gendered prompts' {gendered:.3f}")
            for m in neutral if (e := m.embedding) is not None]


def _gender_lean(results: Sequence[Measured]
                 ) -> tuple[Callable[[NDArray[np.float32]], float] | None, float]:
    """A voice's lean (similarity to the female prompts' mean voice minus to the
    male prompts'; > 0 female), and the gendered prompts' own mean |lean|."""
    english = [m for m in results if m.embedding is not None and m.language.startswith("en")
               and not whispered(m.case.prompt)]
    by_gender = {g: [e for m in english if m.case.gender == g and (e := m.embedding) is not None]
                 for g in ("female", "male")}
    if not all(by_gender.values()):
        return None, math.nan
    centre = {g: np.mean(np.stack(e), axis=0) for g, e in by_gender.items()}

    def lean(e: NDArray[np.float32]) -> float:
        return float(e @ centre["female"] - e @ centre["male"])

    return lean, float(np.mean([abs(lean(e)) for e in by_gender["female"] + by_gender["male"]]))


@functools.cache  # asked once per result by each gender check
def whispered(prompt: str) -> bool:
    """Whether the prompt's voice is (mostly) whispered: no F0 to judge its gender by."""
    traits = parse_prompt(prompt)
    transform = transform_for(traits, traits.gender or "female")
    return bool(transform and transform.get("whisper", 0.0) >= 0.5)


def _checks(results: Sequence[Measured], boundary: float, ceiling: float,
            reproducible: dict[str, bool]) -> list[Check]:
    checks: list[Check] = []
    lean, _ = _gender_lean(results)
    for m in results:
        checks.append(Check("no crash", m.case.label, m.error is None, m.error or "ok"))
        if m.case.gender in ("male", "female") and whispered(m.case.prompt) \
                and lean is not None and m.embedding is not None:
            # a whisper has no F0: its gender is the speaker encoder's lean
            value = lean(m.embedding)
            ok = value < 0 if m.case.gender == "male" else value > 0
            checks.append(Check("gender", m.case.label, ok,
                                f"whispered: speaker lean {value:+.3f} (> 0 female)"))
        elif m.case.gender in ("male", "female"):
            ok = m.f0_hz < boundary if m.case.gender == "male" else m.f0_hz > boundary
            checks.append(Check("gender", m.case.label, bool(ok),
                                f"F0 {m.f0_hz:.0f} Hz vs boundary {boundary:.0f} Hz"))
        if m.case.language is not None:
            checks.append(Check("language", m.case.label, m.language == m.case.language,
                                f"{m.language or '-'} (asked {m.case.language})"))
        if not math.isnan(m.wer):
            checks.append(Check("intelligible", m.case.label, m.wer <= TARGET_WER,
                                f"WER {m.wer:.3f}"))
    checks += _order_checks(results, "f0_hz", "pitch_group", "pitch", "pitch order")
    checks += _order_checks(results, "rate_sps", "pace_group", "pace", "pace order")
    by_label = {m.case.label: m for m in results}
    for a, b in DISTINCT_PAIRS:
        ma, mb = by_label.get(a), by_label.get(b)
        if ma is None or mb is None:
            continue
        if ma.embedding is None or mb.embedding is None:
            checks.append(Check("distinct", f"{a} vs {b}", False, "not measured"))
            continue
        sim = float(ma.embedding @ mb.embedding)
        checks.append(Check("distinct", f"{a} vs {b}", sim < ceiling,
                            f"similarity {sim:.3f} < {ceiling:.3f}"))
    checks += _neutral_checks(results)
    for name, ok in reproducible.items():
        checks.append(Check("reproducible", name, ok, "byte-identical" if ok else "DIFFERS"))
    return checks


def _reproducibility(designer: Designer) -> dict[str, bool]:
    case = CASES[0]
    short = "Same voice, every time."
    seeded = [designer(case, SamplingParams(seed=7), short).audio for _ in range(2)]
    cold = [designer(case, SamplingParams(temperature=0.0), short).audio for _ in range(2)]
    return {"same prompt + seed": bool(np.array_equal(seeded[0], seeded[1])),
            "temperature 0, no seed": bool(np.array_equal(cold[0], cold[1]))}


@dataclass
class TraitRun:
    """The trait pairs: their samples (by prompt and request language), verdicts,
    the noise floors they were judged against and the naturalness figures."""

    samples: dict[tuple[str, str | None], Measured]
    results: list[PairResult]
    real: dict[str, float]  # real speech's spread
    real_source: str
    run_stock: dict[str, float]  # this run's similarity voices' spread (for comparison)
    floors: dict[str, float]  # and the distinct threshold ("similarity"), WER target ("wer")
    stock_mos: dict[str, float] = field(default_factory=dict)
    transformed_mos: dict[str, float] = field(default_factory=dict)  # prompt -> MOS

    @property
    def naturalness(self) -> tuple[float, float]:
        """(transformed samples' mean MOS, stock voices' mean MOS); NaN where none."""
        return _mean(self.transformed_mos), _mean(self.stock_mos)


def _mean(values: dict[str, float]) -> float:
    return float(np.mean(list(values.values()))) if values else math.nan


def pair_case(prompt: str, request_language: str | None) -> Case:
    return Case(label=prompt, prompt=prompt, request_language=request_language)


def _measure_pairs(pairs: Sequence[Pair], designer: Designer
                   ) -> dict[tuple[str, str | None], Measured]:
    """Each distinct prompt of the pairs once (bases are shared between traits)."""
    samples: dict[tuple[str, str | None], Measured] = {}
    for pair in pairs:
        for prompt in (pair.prompt, pair.base):
            key = (prompt, pair.request_language)
            if key not in samples:
                samples[key] = _measure(pair_case(*key), designer, acoustics=True)
    return samples


def pair_values(trait: Measured, base: Measured) -> dict[str, float]:
    """The shifts from ``base`` to ``trait``, their speaker similarity and the trait's WER."""
    values = (design_pairs.shifts(trait.voice, base.voice, trait.rate_sps, base.rate_sps)
              if trait.voice is not None and base.voice is not None else {})
    values["similarity"] = (float(trait.embedding @ base.embedding)
                            if trait.embedding is not None and base.embedding is not None
                            else math.nan)
    values["wer"] = trait.wer
    return values


def judge_pairs(pairs: Sequence[Pair], samples: dict[tuple[str, str | None], Measured],
                bounds: dict[str, float]) -> list[PairResult]:
    """``bounds``: the noise floors, plus the distinct-voice threshold as ``similarity``
    and the WER target as ``wer``."""
    return [design_pairs.judge(pair, pair_values(samples[(pair.prompt, pair.request_language)],
                                                 samples[(pair.base, pair.request_language)]),
                               bounds) for pair in pairs]


def _trait_checks(traits: TraitRun) -> list[Check]:
    checks = [Check("trait", f"{r.pair.trait}: {r.pair.label}", r.passed, r.measured)
              for r in traits.results]
    for (prompt, _), m in traits.samples.items():
        checks.append(Check("intelligible", f"pair: {prompt}", m.error is None
                            and m.wer <= TARGET_WER, m.error or f"WER {m.wer:.3f}"))
    transformed, stock = traits.naturalness
    checks.append(Check("naturalness", "transformed samples vs stock voices (DistillMOS)",
                        bool(transformed >= stock - MOS_MARGIN),
                        f"{transformed:.2f} (n={len(traits.transformed_mos)}) >= "
                        f"{stock:.2f} - {MOS_MARGIN}"))
    return checks


class _Clock:
    """Seconds spent per phase of the run, for the report."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self._last = time.monotonic()

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - self._last
        self._last = now


def _trait_run(ctx: SuiteContext, designer: Designer, results: Sequence[Measured],
               stock: StockReference, clock: _Clock) -> TraitRun:
    if ctx.design_pairs is not None:  # a held-out set
        pairs = design_pairs.load_pairs(ctx.design_pairs)
    elif ctx.quick:
        pairs = [p for p in PAIRS if p.label in QUICK_PAIR_LABELS]
    else:
        pairs = list(PAIRS)
    samples = _measure_pairs(pairs, designer)
    clock.lap("trait pairs")
    measured = None if ctx.quick else design_pairs.real_speech_spread(ctx.data_dir)
    clock.lap("real speech")
    real = measured or design_pairs.REAL_SPEECH_SPREAD
    real_source = ("LibriSpeech test-other, 6 speakers x 10 utterances, measured now"
                   if measured else "LibriSpeech test-other, the figures measured when the "
                   "suite was written" + (" (--quick)" if ctx.quick else " (data not found)"))
    floors = {**design_pairs.noise_floors(real, design_pairs.STOCK_SPREAD),
              "similarity": stock.ceiling, "wer": TARGET_WER}
    transformed = {m.case.prompt: m.mos for m in [*results, *samples.values()]
                   if m.transformed and math.isfinite(m.mos)}
    return TraitRun(samples, judge_pairs(pairs, samples, floors), dict(real),
                    real_source, design_pairs.median_spread(stock.utterances.values()), floors,
                    dict(stock.mos), transformed)


def run(ctx: SuiteContext) -> SuiteReport:
    clock = _Clock()
    designer, source = (
        (http_designer(ctx.url, ctx.key), f"POST /v2/voice_designs on {api_base(ctx.url)}")
        if isinstance(ctx, RemoteSuiteContext) and ctx.url
        else (engine_designer(ctx.engine), "in-process `design_voice`"))
    cases = [c for c in CASES if c.label in QUICK_LABELS] if ctx.quick else list(CASES)
    results = [_measure(case, designer) for case in cases]
    clock.lap("prompts")
    sweep = [] if ctx.quick else [
        _measure(case, designer, seed, wer_only=True)
        for case in CASES if case.label in SWEEP_LABELS for seed in SWEEP_SEEDS]
    clock.lap("other seeds")
    boundary = gender_boundary_hz()
    stock = stock_reference(ctx.engine)
    clock.lap("stock voices")
    traits = _trait_run(ctx, designer, results, stock, clock)
    reproducible = _reproducibility(designer)
    clock.lap("reproducibility")
    checks = (_checks(results, boundary, stock.ceiling, reproducible)
              + _sweep_checks(sweep) + _trait_checks(traits))
    return _report(ctx, results, sweep, checks, boundary, stock.same, stock.ceiling, source,
                   traits=traits, phases=clock.phases)


def _report(ctx: SuiteContext, results: Sequence[Measured], sweep: Sequence[Measured],
            checks: Sequence[Check], boundary: float, same: dict[str, float],
            ceiling: float, source: str = "in-process `design_voice`", *,
            traits: TraitRun | None = None, phases: dict[str, float] | None = None
            ) -> SuiteReport:
    pair_samples = list(traits.samples.values()) if traits else []
    samples = [*results, *sweep, *pair_samples]
    passed_n = sum(c.passed for c in checks)
    adherence = passed_n / max(len(checks), 1)
    wers = [m.wer for m in samples if not math.isnan(m.wer)]
    worst_wer = max(wers) if wers else math.nan
    crashes = [m.case.label for m in samples if m.error]
    natural = [c.passed for c in checks if c.kind == "naturalness"]
    passed = (adherence >= TARGET_ADHERENCE and not crashes and all(natural)
              and all(w <= TARGET_WER for w in wers))
    kinds = sorted({c.kind for c in checks})
    summary = [("adherence (checks passed)", f"{adherence:.1%} ({passed_n}/{len(checks)})",
                f">= {TARGET_ADHERENCE:.0%}")]
    for kind in kinds:
        mine = [c for c in checks if c.kind == kind]
        summary.append((f"  {kind}", f"{sum(c.passed for c in mine)}/{len(mine)}", "-"))
        if kind == "trait" and traits:
            summary += design_pairs.trait_summary(traits.results, traits.floors)
    if traits:
        transformed, stock = traits.naturalness
        summary.append(("DistillMOS transformed / stock",
                        f"{transformed:.2f} (n={len(traits.transformed_mos)}) / {stock:.2f}",
                        f">= stock - {MOS_MARGIN}"))
    summary += [("worst sample WER", f"{worst_wer:.3f}", f"<= {TARGET_WER}"),
                ("prompts / samples / crashes",
                 f"{len(results)} / {len(samples)} / {len(crashes)}", "0 crashes")]
    if phases:
        summary.append(("runtime", _duration(sum(phases.values())) + " ("
                        + ", ".join(f"{k} {_duration(v)}" for k, v in phases.items()) + ")",
                        "-"))
    plots = [
        scatter_levels(ctx.out / "design_pitch.png",
                       [(m.case.pitch_group or "", m.case.pitch, m.f0_hz) for m in results
                        if m.case.pitch is not None],
                       title="Median F0 against requested pitch", xlabel="requested pitch",
                       ylabel="median F0 (Hz)"),
        scatter_levels(ctx.out / "design_pace.png",
                       [(m.case.pace_group or "", m.case.pace, m.rate_sps) for m in results
                        if m.case.pace is not None],
                       title="Speaking rate against requested pace", xlabel="requested pace",
                       ylabel="syllables / s"),
    ]
    lines = [
        (f"{len(results)} prompts designed with {source} (the API's default sampling "
         f"parameters, seed {SEED}), each reading: \"{TEXT}\""), "",
        (f"Gender boundary {boundary:.0f} Hz (geometric mean of the English stock voices' "
         f"male and female medians). Distinct-voice threshold {ceiling:.3f}: the lowest "
         "same-voice similarity of the stock voices reading two texts ("
         + ", ".join(f"{k} {v:.3f}" for k, v in same.items()) + ")."), "",
        "| prompt | gender | language | F0 Hz | syll/s | speed | WER | MOS | main voices |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in results:
        lines.append(f"| {m.case.prompt} | {m.case.gender or '-'} | {m.language or '-'} | "
                     f"{m.f0_hz:.0f} | {m.rate_sps:.2f} | {m.speed:.2f} | {_num(m.wer, 3)} | "
                     f"{_num(m.mos, 2)} | {', '.join(m.components) or m.error or '-'} |")
    if sweep:
        lines += ["", "The same prompts with other seeds (intelligibility only):", "",
                  "| prompt | seed | WER | main voices |", "|---|---|---|---|"]
        lines += [f"| {m.case.prompt} | {m.seed} | {m.wer:.3f} | "
                  f"{', '.join(m.components) or m.error or '-'} |" for m in sweep]
    if traits:
        lines += ["", *_trait_markdown(traits)]
    failed = [c for c in checks if not c.passed]
    lines += ["", f"Failed checks ({len(failed)}):" if failed else "Every check passed.", ""]
    lines += [f"- {c.kind}: {c.name} ({c.detail})" for c in failed]
    data = {
        "adherence": adherence, "boundary_hz": boundary, "distinct_threshold": ceiling,
        "ceiling": same, "checks": [c.__dict__ for c in checks],
        "results": [{"label": m.case.label, "prompt": m.case.prompt, "f0_hz": m.f0_hz,
                     "rate_sps": m.rate_sps, "wer": m.wer, "mos": m.mos,
                     "language": m.language, "speed": m.speed, "components": m.components,
                     "error": m.error} for m in results],
        "sweep": [{"label": m.case.label, "seed": m.seed, "wer": m.wer,
                   "components": m.components, "error": m.error} for m in sweep],
        "seconds": phases or {},
    }
    if traits:
        data["traits"] = _trait_data(traits)
    return SuiteReport(name=NAME, summary=summary, markdown="\n".join(lines) + "\n",
                       passed=passed, plots=plots, data=data)


def _duration(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def _num(value: float, digits: int) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def _trait_markdown(traits: TraitRun) -> list[str]:
    transformed, stock = traits.naturalness
    lines = [("Trait pairs: each prompt against the same prompt without the trait (seed "
              f"{SEED}, the same text), measured with Praat; \"up\"/\"down\" must clear "
              "the noise floor below (see `design_pairs`)."), "",
             *design_pairs.floors_markdown(traits.real, traits.real_source,
                                           traits.run_stock, traits.floors), "",
             *design_pairs.results_markdown(traits.results, traits.floors), "",
             "The pairs' samples:", "",
             ("| prompt | transform | F0 Hz | F0 range st | F1 Hz | F2 Hz | HNR dB | jitter % "
              "| shimmer % | voiced | RMS dB | syll/s | WER | MOS | main voices |"),
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for (prompt, _), m in traits.samples.items():
        v = m.voice or VoiceMeasures()
        lines.append(
            f"| {prompt} | {'yes' if m.transformed else '-'} | {_num(v.f0_hz, 0)} | "
            f"{_num(v.f0_range_st, 1)} | {_num(v.f1_hz, 0)} | {_num(v.f2_hz, 0)} | "
            f"{_num(v.hnr_db, 1)} | {_num(100 * v.jitter, 2)} | {_num(100 * v.shimmer, 1)} | "
            f"{_num(v.voiced_fraction, 2)} | {_num(v.rms_db, 1)} | {_num(m.rate_sps, 2)} | "
            f"{_num(m.wer, 3)} | {_num(m.mos, 2)} | {', '.join(m.components) or m.error or '-'} |")
    lowest = sorted(traits.transformed_mos.items(), key=lambda kv: kv[1])[:5]
    lines += ["", (f"DistillMOS: samples with a voice transform {transformed:.2f} on average "
                   f"({len(traits.transformed_mos)} samples; lowest: "
                   + ", ".join(f"\"{p}\" {v:.2f}" for p, v in lowest)
                   + f"); stock voices reading the same text {stock:.2f} ("
                   + ", ".join(f"{k} {v:.2f}" for k, v in traits.stock_mos.items())
                   + f"); target: at least the stock mean - {MOS_MARGIN}.")]
    return lines


def _trait_data(traits: TraitRun) -> dict[str, object]:
    transformed, stock = traits.naturalness
    return {
        "floors": traits.floors, "real_speech_spread": traits.real,
        "real_speech_source": traits.real_source,
        "stock_spread": design_pairs.STOCK_SPREAD, "run_stock_spread": traits.run_stock,
        "pairs": [{"trait": r.pair.trait, "label": r.pair.label, "prompt": r.pair.prompt,
                   "base": r.pair.base, "passed": r.passed, "values": r.values}
                  for r in traits.results],
        "samples": [{"prompt": prompt, "request_language": language, "wer": m.wer,
                     "mos": m.mos, "rate_sps": m.rate_sps, "transformed": m.transformed,
                     "language": m.language, "speed": m.speed, "components": m.components,
                     "error": m.error, **(m.voice.to_dict() if m.voice else {})}
                    for (prompt, language), m in traits.samples.items()],
        "mos": {"transformed_mean": transformed, "stock_mean": stock,
                "transformed": traits.transformed_mos, "stock": traits.stock_mos},
    }
