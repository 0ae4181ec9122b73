"""The design suite's checks and plumbing, on the tiny engine with stand-in instruments."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from tests.support.tiny_model import spectral_embedding, tiny_engine
from voicesmith.design.traits import VoiceTraits, parse_prompt
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.evaluation.suites import design, design_pairs
from voicesmith.evaluation.suites.base import SuiteContext
from voicesmith.evaluation.suites.design_pairs import (
    PAIRS,
    QUICK_PAIR_LABELS,
    RULES,
    Pair,
    judge,
    median_spread,
    noise_floors,
    shifts,
)
from voicesmith.evaluation.voice_measures import VoiceMeasures, voice_measures

pytest.importorskip("matplotlib")


def measured(label: str, **values: Any) -> design.Measured:
    case = next(c for c in design.CASES if c.label == label)
    return design.Measured(case, **values)


def test_the_suite_has_enough_prompts_and_each_parses_as_its_expectation_says() -> None:
    assert len(design.CASES) >= 40
    assert len({c.label for c in design.CASES}) == len(design.CASES)
    for case in design.CASES:
        traits = parse_prompt(case.prompt)
        if case.gender is not None:
            assert traits.gender == case.gender, case.prompt
        if case.pitch is not None and case.pitch != 0:
            assert math.copysign(1, traits.pitch) == math.copysign(1, case.pitch), case.prompt
        if case.pace is not None and case.pace != 0:
            assert math.copysign(1, traits.pace) == math.copysign(1, case.pace), case.prompt


def test_order_checks_pair_neighbours_by_requested_level_and_fail_on_nan() -> None:
    results = [measured("male-deep", f0_hz=95), measured("male", f0_hz=110),
               measured("male-high", f0_hz=105), measured("male-slightly-deeper", f0_hz=math.nan)]
    checks = design._order_checks(results, "f0_hz", "pitch_group", "pitch", "pitch order")
    verdicts = {c.name: c.passed for c in checks}
    assert verdicts == {
        "male: male-deep < male-slightly-deeper": False,  # NaN: not measured
        "male: male-slightly-deeper < male": False,
        "male: male < male-high": False,  # 110 !< 105
    }


def test_gender_language_wer_and_crash_checks() -> None:
    ok = measured("british-man", f0_hz=100, wer=0.0, language="en-gb")
    wrong = measured("female", f0_hz=120, wer=0.2, language="en-us")
    crashed = measured("male", error="ValueError: boom")
    checks = design._checks([ok, wrong, crashed], boundary=142.0, ceiling=0.8, reproducible={})
    failed = {(c.kind, c.name) for c in checks if not c.passed}
    assert failed == {("gender", "female"), ("intelligible", "female"), ("no crash", "male"),
                      ("gender", "male")}
    assert 100 < design.gender_boundary_hz() < 200


VOICES = ("af_one", "af_two", "am_three", "am_four", "bf_five", "bm_six", "ef_seven")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KokoroEngine:
    return tiny_engine(tmp_path_factory.mktemp("model"), VOICES)


def test_quick_run_reports_adherence_plots_and_reproducibility(
        engine: KokoroEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(design, "speaker_embedding", spectral_embedding)
    monkeypatch.setattr(design, "median_f0", lambda audio, rate: 100.0)
    monkeypatch.setattr(design, "speaking_rate", lambda audio, rate, text: 4.0)
    monkeypatch.setattr(design, "word_error_rate", lambda audio, rate, text: 0.0)
    monkeypatch.setattr(design, "voice_measures", lambda audio, rate: VoiceMeasures())
    monkeypatch.setattr(design, "naturalness_mos", lambda audio, rate: 4.0)
    monkeypatch.setattr(design, "CEILING_VOICES", ("af_one", "am_three"))
    report = design.run(SuiteContext(engine=engine, out=tmp_path, quick=True))

    results = report.data["results"]
    assert len(results) == len(design.QUICK_LABELS)
    assert not [r for r in results if r["error"]]
    checks = {(c["kind"], c["name"]): c["passed"] for c in report.data["checks"]}
    assert checks[("reproducible", "same prompt + seed")] is True
    assert checks[("reproducible", "temperature 0, no seed")] is True
    # a constant 100 Hz is male everywhere: every female gender check fails, and
    # equal pitches are never ordered, so the suite misses its target
    assert checks[("gender", "female")] is False and checks[("gender", "male")] is True
    assert checks[("pitch order", "male: male-deep < male")] is False
    assert report.passed is False
    assert report.summary[0][0] == "adherence (checks passed)"
    assert len(report.plots) == 2 and all(p.is_file() and p.stat().st_size for p in report.plots)
    # the quick run has one pair per trait; unmeasured (NaN) shifts never pass
    traits = report.data["traits"]
    assert sorted(p["trait"] for p in traits["pairs"]) == sorted(RULES)
    assert not any(p["passed"] for p in traits["pairs"] if p["trait"] != "accent")
    assert traits["floors"]["f0"] == design_pairs.REAL_SPEECH_SPREAD["f0"]  # --quick: fixed
    assert "measured when the suite was written" in traits["real_speech_source"]
    assert checks[("naturalness", "transformed samples vs stock voices (DistillMOS)")] is True
    rows = {m: (v, t) for m, v, t in report.summary}
    assert rows["  trait whisper"][0].startswith("0/1 (FAIL whispering-woman: voiced fraction")
    assert rows["  trait whisper"][1] == "voiced fraction < -0.061"
    assert rows["DistillMOS transformed / stock"][0].startswith("4.00 (n=")
    assert "| whisper | A whispering woman | A woman |" in report.markdown


def test_a_bad_seed_in_the_sweep_fails_intelligibility(tmp_path: Path) -> None:
    good = measured("male", wer=0.0, f0_hz=110, rate_sps=4.8)
    bad = design.Measured(good.case, seed=3, wer=0.25)
    checks = design._sweep_checks([bad])
    assert [(c.name, c.passed) for c in checks] == [("male seed 3", False)]
    report = design._report(SuiteContext(engine=None, out=tmp_path),  # type: ignore[arg-type]
                            [good], [bad], checks, 141.0, {}, 0.9)
    assert report.passed is False
    assert {m: v for m, v, _ in report.summary}["worst sample WER"] == "0.250"
    assert "| A male voice | 3 | 0.250 |" in report.markdown


def test_a_neutral_voice_must_sit_between_the_genders() -> None:
    female, male = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    between = (female + male) / np.linalg.norm(female + male)
    leaning = np.array([0.95, 0.31], np.float32)

    def run(neutral: np.ndarray) -> list[design.Check]:
        results = [measured("female", language="en-us", embedding=female),
                   measured("male", language="en-us", embedding=male),
                   measured("neutral", language="en-us", embedding=neutral)]
        return design._neutral_checks(results)

    assert [c.passed for c in run(between)] == [True]
    assert [c.passed for c in run(leaning)] == [False]


def test_a_whispered_voices_gender_is_its_speaker_lean_not_its_f0() -> None:
    """A whisper has no F0 (Praat reads noise as ~120 Hz): its gender is judged
    by which gender's mean voice it is closer to."""
    label = next(c.label for c in design.CASES if design.whispered(c.prompt)
                 and c.gender == "female")
    female, male = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)

    def gender_checks(embedding: np.ndarray) -> list[bool]:
        results = [measured("female", language="en-us", embedding=female, f0_hz=200),
                   measured("male", language="en-us", embedding=male, f0_hz=100),
                   measured(label, language="en-us", embedding=embedding, f0_hz=121)]
        return [c.passed for c in design._checks(results, boundary=142.0, ceiling=0.8,
                                                  reproducible={}) if c.kind == "gender"]

    assert gender_checks(np.array([0.9, 0.44], np.float32)) == [True, True, True]
    assert gender_checks(np.array([0.44, 0.9], np.float32)) == [True, True, False]
    assert not design.whispered("A woman") and design.whispered("A man whispering")


def test_the_http_designer_goes_through_the_api_and_leaves_nothing(tmp_path: Path) -> None:
    import io
    import json

    import httpx
    import soundfile as sf

    from voicesmith.design.sampling import SamplingParams
    from voicesmith.evaluation.remote import http_designer

    wav = io.BytesIO()
    sf.write(wav, np.full(2400, 0.25, np.float32), 24_000, format="WAV", subtype="PCM_16")
    seen: list[tuple[str, str, dict[str, object] | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, request.url.path, body))
        if request.method == "POST":
            return httpx.Response(201, json={"data": {"id": "d1", "voice": {
                "engine_language": "en-gb", "recipe": {"speed": 0.9, "components": [
                    {"voice": "bm_fable", "weight": 0.7}, {"voice": "bm_lewis", "weight": 0.3}]}}}})
        if request.method == "GET":
            return httpx.Response(200, content=wav.getvalue())
        return httpx.Response(204)

    designer = http_designer("http://test", "k", transport=httpx.MockTransport(handler))
    case = next(c for c in design.CASES if c.label == "spanish-man")
    sample = designer(case, SamplingParams(seed=5), "Hola.")
    assert sample.language == "en-gb" and sample.speed == 0.9
    assert sample.components == ["bm_fable", "bm_lewis"]
    assert sample.audio.shape == (2400,) and abs(float(sample.audio[0]) - 0.25) < 1e-3
    (post, post_path, body), get, delete = seen
    assert (post, post_path) == ("POST", "/v2/voice_designs")
    assert body is not None and body["seed"] == 5 and body["language"] == "es"
    assert body["prompt"] == case.prompt and body["text"] == "Hola."
    assert get[:2] == ("GET", "/v2/voice_designs/d1/sample")
    assert delete[:2] == ("DELETE", "/v2/voice_designs/d1")


# --- trait pairs -----------------------------------------------------------------

def _expects(trait: str, prompt: VoiceTraits, base: VoiceTraits) -> bool:
    """Whether the parser reads the pair as asking for ``trait`` only in ``prompt``."""
    if trait in ("child", "elderly"):
        return prompt.age == trait and base.age != trait
    if trait in ("whisper", "breathy"):
        word = {"whisper": "whispery", "breathy": "breathy"}[trait]
        return word in prompt.timbre and word not in base.timbre
    if trait == "raspy":
        return bool({"raspy", "gravelly"} & set(prompt.timbre)) and not base.timbre
    if trait == "loud":
        return prompt.loudness > 0 > base.loudness
    if trait in ("angry", "sad"):
        return trait in prompt.emotions and trait not in base.emotions
    return prompt.accent is not None and base.accent is None


@pytest.mark.parametrize("pair", PAIRS, ids=[p.label for p in PAIRS])
def test_each_pair_asks_for_its_trait_and_its_base_does_not(pair: Pair) -> None:
    prompt, base = parse_prompt(pair.prompt), parse_prompt(pair.base)
    assert prompt.gender == base.gender is not None
    assert _expects(pair.trait, prompt, base), (pair.prompt, pair.base)


def test_every_trait_has_a_rule_a_few_phrasings_and_one_quick_pair() -> None:
    assert len({p.label for p in PAIRS}) == len(PAIRS)
    for trait in RULES:
        mine = [p for p in PAIRS if p.trait == trait]
        assert len(mine) >= 2, trait
        assert {parse_prompt(p.prompt).gender for p in mine} == {"female", "male"}, trait
        assert sum(p.label in QUICK_PAIR_LABELS for p in mine) == 1, trait
    assert {p.trait for p in PAIRS} == set(RULES)
    assert QUICK_PAIR_LABELS <= {p.label for p in PAIRS}


def test_shifts_are_semitones_decibels_and_log_percent() -> None:
    base = VoiceMeasures(f0_hz=100, f0_range_st=6, f1_hz=500, f2_hz=1500, hnr_db=12,
                         jitter=0.01, shimmer=0.05, voiced_fraction=0.7, rms_db=-20)
    child = VoiceMeasures(f0_hz=200, f0_range_st=7, f1_hz=500 * 2 ** (2 / 12),
                          f2_hz=1500 * 2 ** (4 / 12), hnr_db=9, jitter=0.02, shimmer=0.05,
                          voiced_fraction=0.1, rms_db=-14)
    d = shifts(child, base, 4.5, 5.0)
    assert d["f0"] == pytest.approx(12.0) and d["f0_range"] == pytest.approx(1.0)
    assert d["f1"] == pytest.approx(2.0) and d["f2"] == pytest.approx(4.0)
    assert d["formants"] == pytest.approx(3.0)
    assert d["hnr"] == pytest.approx(-3.0) and d["rms"] == pytest.approx(6.0)
    assert d["jitter"] == pytest.approx(100 * math.log(2)) and d["shimmer"] == 0.0
    assert d["voiced"] == pytest.approx(-0.6)
    assert d["rate"] == pytest.approx(100 * math.log(0.9))
    assert math.isnan(shifts(VoiceMeasures(), base)["f0"])  # unmeasured stays NaN


def test_noise_floor_is_the_median_same_voice_spread_and_the_larger_source() -> None:
    def utt(f0: float, hnr: float, rate: float = math.nan) -> tuple[VoiceMeasures, float]:
        return VoiceMeasures(f0_hz=f0, hnr_db=hnr), rate

    # speaker A: three utterances (3 pairs), speaker B: two (1 pair); never across speakers
    a = [utt(100, 10), utt(100 * 2 ** (1 / 12), 11), utt(100 * 2 ** (3 / 12), 14)]
    b = [utt(200, 5), utt(200 * 2 ** (2 / 12), 5.5)]
    spread = median_spread([a, b])
    assert spread["f0"] == pytest.approx(2.0)  # |shifts| 1, 3, 2 and 2
    assert spread["hnr"] == pytest.approx(2.0)  # 1, 4, 3 and 0.5
    assert math.isnan(spread["rate"]) and math.isnan(spread["jitter"])
    stock = {**dict.fromkeys(design_pairs.NOISE_MEASURES, 0.5), "f0": 3.0}
    floors = noise_floors(spread, stock)
    assert floors["f0"] == 3.0 and floors["hnr"] == 2.0
    assert floors["rate"] == 0.5  # real speech has no rate: the stock voices' alone
    assert floors["jitter"] == 0.5


FLOORS = {**design_pairs.noise_floors(design_pairs.REAL_SPEECH_SPREAD,
                                      design_pairs.STOCK_SPREAD),
          "similarity": 0.93, "wer": 0.10}


def pair(trait: str) -> Pair:
    return next(p for p in PAIRS if p.trait == trait)


def test_child_needs_f0_and_formants_up_beyond_the_floors() -> None:
    ok = {"f0": 6.0, "f1": 3.0, "f2": 2.0, "formants": 2.5}
    assert judge(pair("child"), ok, FLOORS).passed
    assert not judge(pair("child"), {**ok, "f0": 0.5}, FLOORS).passed  # under 1 st
    assert not judge(pair("child"), {**ok, "formants": 0.5}, FLOORS).passed
    # a mean shift carried by F2 alone while F1 drops is not a shorter vocal tract
    assert not judge(pair("child"), {**ok, "f1": -0.2, "f2": 3.0, "formants": 1.4},
                     FLOORS).passed
    result = judge(pair("child"), ok, FLOORS)
    assert result.measured == "F0 +6.0 st, F1 +3.0 st, F2 +2.0 st, F1/F2 +2.5 st"


def test_any_of_and_all_of_groups_and_nan() -> None:
    elderly = pair("elderly")
    slow = FLOORS["rate"] + 1
    assert judge(elderly, {"rate": -slow, "jitter": 30.0, "hnr": 0.0}, FLOORS).passed
    assert judge(elderly, {"rate": -slow, "jitter": 0.0, "hnr": -2.0}, FLOORS).passed
    assert not judge(elderly, {"rate": -slow, "jitter": 5.0, "hnr": -0.5}, FLOORS).passed
    assert not judge(elderly, {"rate": -1.0, "jitter": 30.0, "hnr": -2.0}, FLOORS).passed
    assert not judge(elderly, {"rate": math.nan, "jitter": 30.0, "hnr": -2.0}, FLOORS).passed
    assert judge(pair("angry"), {"rms": 0.0, "f0_range": 3.0}, FLOORS).passed
    assert not judge(pair("sad"), {"rate": -10.0, "f0": 0.5}, FLOORS).passed
    assert judge(pair("whisper"), {"voiced": -0.5}, FLOORS).passed
    assert not judge(pair("loud"), {"rms": 1.0}, FLOORS).passed  # under the 1.16 dB floor


def test_an_accent_must_be_another_voice_and_still_intelligible() -> None:
    accent = pair("accent")
    assert judge(accent, {"similarity": 0.80, "wer": 0.05}, FLOORS).passed
    assert not judge(accent, {"similarity": 0.99, "wer": 0.0}, FLOORS).passed  # ignored
    assert not judge(accent, {"similarity": 0.80, "wer": 0.25}, FLOORS).passed
    assert judge(accent, {"similarity": 0.80, "wer": 0.10}, FLOORS).passed  # at most 10 %
    text = design_pairs.describe_rule("accent", FLOORS)
    assert text == "similarity < 0.93 and WER <= 0.1"
    assert design_pairs.describe_rule("elderly", FLOORS) == (
        "rate < -5.49 % and (jitter > +17.3 % or HNR < -1.21 dB)")


def test_pair_values_and_the_suite_judges_each_pair_from_its_shared_samples() -> None:
    def sample(prompt: str, f0: float, emb: list[float]) -> design.Measured:
        m = design.Measured(design.pair_case(prompt, "en"), rate_sps=5.0, wer=0.0,
                            voice=VoiceMeasures(f0_hz=f0, f1_hz=500 * f0 / 100,
                                                f2_hz=1500 * f0 / 100))
        m.embedding = np.array(emb, np.float32) / np.linalg.norm(emb)
        return m

    pairs = [p for p in PAIRS if p.label in ("girl", "breathy-woman", "indian-woman")]
    made: list[tuple[str, float, list[float]]] = [
        ("A little girl", 240, [1, 0]), ("A woman", 170, [1, 0.1]),
        ("A breathy woman", 170, [1, 0.1]), ("A woman with an Indian accent", 180, [0, 1])]
    samples: dict[tuple[str, str | None], design.Measured] = {
        (p, "en"): sample(p, f0, emb) for p, f0, emb in made}
    results = design.judge_pairs(pairs, samples, FLOORS)
    verdicts = {r.pair.label: r.passed for r in results}
    assert verdicts == {"girl": True, "breathy-woman": False, "indian-woman": True}
    girl = results[0].values
    assert girl["f0"] == pytest.approx(12 * math.log2(240 / 170))
    assert girl["similarity"] == pytest.approx(1 / math.sqrt(1.01))


def test_naturalness_and_wer_of_the_pairs_decide_the_suite(tmp_path: Path) -> None:
    good = measured("male", wer=0.0, f0_hz=110, rate_sps=4.8)
    whisper = design.Measured(design.pair_case("A man whispering", "en"), wer=0.3, mos=2.0,
                              transformed=True)
    traits = design.TraitRun({("A man whispering", "en"): whisper}, [],
                             dict(design_pairs.REAL_SPEECH_SPREAD), "fixed", {}, FLOORS,
                             stock_mos={"af_one": 4.5}, transformed_mos={"A man whispering": 2.0})
    checks = design._trait_checks(traits)
    assert {(c.kind, c.passed) for c in checks} == {("intelligible", False),
                                                    ("naturalness", False)}
    report = design._report(SuiteContext(engine=None, out=tmp_path),  # type: ignore[arg-type]
                            [good], [], checks, 141.0, {}, 0.9, traits=traits,
                            phases={"prompts": 60.0, "trait pairs": 15.5})
    rows = {m: v for m, v, _ in report.summary}
    assert rows["DistillMOS transformed / stock"] == "2.00 (n=1) / 4.50"
    assert rows["worst sample WER"] == "0.300"
    assert rows["runtime"] == "1m15s (prompts 1m00s, trait pairs 0m15s)"
    assert report.passed is False
    assert "| A man whispering | yes |" in report.markdown


# --- Praat measures on synthetic and real speech -----------------------------------

RATE = 16_000


def _syllables(make: Callable[[int], NDArray[np.float64]], count: int = 6) -> NDArray[np.float32]:
    """``count`` 0.3 s "syllables" from ``make(n)`` with 0.25 s pauses, faded in and out."""
    n, gap = int(0.3 * RATE), np.zeros(int(0.25 * RATE))
    fade = np.minimum(1.0, np.minimum(np.arange(n), np.arange(n)[::-1]) / (0.02 * RATE))
    parts = [gap]
    for _ in range(count):
        parts += [make(n) * fade, gap]
    return np.concatenate(parts).astype(np.float32)


def _vowel(f0: float, formants: tuple[float, float] = (500.0, 1500.0), jitter: float = 0.0,
           seed: int = 0) -> Callable[[int], NDArray[np.float64]]:
    """A harmonic source shaped by two resonances; ``jitter``: random period perturbation."""
    rng = np.random.default_rng(seed)

    def make(n: int) -> NDArray[np.float64]:
        periods = (1.0 / f0) * (1.0 + jitter * rng.standard_normal(int(0.4 * f0) + 2))
        inst = np.repeat(1.0 / periods, np.ceil(periods * RATE).astype(int))[:n]
        phase = 2 * np.pi * np.cumsum(inst) / RATE
        wave = np.zeros(n)
        for k in range(1, int(4000 / f0)):
            freq = k * f0
            gain = sum(1.0 / (1.0 + ((freq - fc) / 80.0) ** 2) for fc in formants)
            wave += (gain + 0.02) * np.sin(k * phase)
        return 0.2 * wave / np.max(np.abs(wave))

    return make


def test_voice_measures_read_what_was_made() -> None:
    clean = voice_measures(_syllables(_vowel(120.0)), RATE)
    assert clean.f0_hz == pytest.approx(120.0, rel=0.03)
    assert clean.voiced_fraction > 0.8 and clean.hnr_db > 15.0 and clean.jitter < 0.01
    assert clean.f1_hz == pytest.approx(500.0, rel=0.15)
    assert clean.f2_hz == pytest.approx(1500.0, rel=0.1)

    louder = voice_measures(2.0 * _syllables(_vowel(120.0)), RATE)
    assert louder.rms_db - clean.rms_db == pytest.approx(20 * math.log10(2.0), abs=0.05)

    rng = np.random.default_rng(1)
    noise = _syllables(lambda n: 0.1 * rng.standard_normal(n))
    whisper = voice_measures(noise, RATE)
    assert whisper.voiced_fraction < 0.2

    breathy = voice_measures(_syllables(lambda n: _vowel(120.0)(n)
                                        + 0.05 * rng.standard_normal(n)), RATE)
    assert breathy.hnr_db < clean.hnr_db - 5.0

    rough = voice_measures(_syllables(_vowel(120.0, jitter=0.03)), RATE)
    assert rough.jitter > 3 * clean.jitter

    shorter = voice_measures(_syllables(_vowel(120.0, (600.0, 1800.0))), RATE)
    d = shifts(shorter, clean)
    assert d["f1"] > 2.0 and d["f2"] > 2.0  # x1.2 = +3.2 st


def test_voice_measures_of_silence_are_nan() -> None:
    out = voice_measures(np.zeros(RATE, np.float32), RATE)
    assert math.isnan(out.f0_hz) and math.isnan(out.hnr_db)


def test_real_speech_spread_groups_utterances_by_speaker(tmp_path: Path) -> None:
    data = Path(__file__).parent / "data"
    root = tmp_path.joinpath(*design_pairs.REAL_SPEECH_DIR)
    for utterance in ("1688-142285-0002", "1688-142285-0004", "3331-159605-0001",
                      "3331-159605-0006"):
        folder = root / utterance.split("-")[0]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{utterance}.flac").write_bytes((data / f"{utterance}.flac").read_bytes())
    spread = design_pairs.real_speech_spread(tmp_path)
    assert spread is not None
    # two same-speaker pairs: plausible sentence-to-sentence differences of one person
    assert 0.0 < spread["f0"] < 6.0 and 0.0 < spread["hnr"] < 6.0
    assert 0.0 < spread["rms"] < 8.0 and math.isnan(spread["rate"])
    assert design_pairs.real_speech_spread(tmp_path / "missing") is None
    assert design_pairs.real_speech_spread(None) is None


def test_a_held_out_pairs_file_replaces_the_built_in_pairs(tmp_path: Path) -> None:
    path = tmp_path / "held_out.jsonl"
    path.write_text('{"trait": "child", "prompt": "a small boy", "base": "a man"}\n\n'
                    '{"trait": "accent", "prompt": "a woman, Italian accent", "base": "a woman",'
                    ' "label": "it"}\n', encoding="utf-8")
    pairs = design_pairs.load_pairs(path)
    assert [(p.trait, p.label, p.base, p.request_language) for p in pairs] == [
        ("child", "child-1", "a man", "en"), ("accent", "it", "a woman", "en")]
    path.write_text('{"trait": "sparkly", "prompt": "a", "base": "b"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="1: unknown trait 'sparkly'"):
        design_pairs.load_pairs(path)
    path.write_text('{"prompt": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="1: not a pair"):
        design_pairs.load_pairs(path)
