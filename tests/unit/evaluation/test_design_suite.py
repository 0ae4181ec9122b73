"""The design suite's checks and plumbing, on the tiny engine with stand-in instruments."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from tests.support.tiny_model import spectral_embedding, tiny_engine
from voicesmith.design.traits import parse_prompt
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.evaluation.suites import design
from voicesmith.evaluation.suites.base import SuiteContext

pytest.importorskip("matplotlib")


def measured(label: str, **values: float) -> design.Measured:
    case = next(c for c in design.CASES if c.label == label)
    return design.Measured(case, **values)  # type: ignore[arg-type]


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
