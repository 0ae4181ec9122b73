"""The intelligibility, clone and upload suites' own logic, on the tiny engine.

The instruments (Whisper, resemblyzer) are replaced by stand-ins so these run
in milliseconds; the instruments have their own tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from tests.support.tiny_model import spectral_embedding, tiny_engine
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.evaluation.suites import clone, intelligibility, upload_suite
from voicesmith.evaluation.suites.base import SuiteContext

pytest.importorskip("matplotlib")
pytest.importorskip("jiwer")

VOICES = ("af_one", "am_two", "bf_three", "bm_four", "ef_five")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> KokoroEngine:
    return tiny_engine(tmp_path_factory.mktemp("model"), VOICES)


def test_canonical_forgives_orthography_not_words() -> None:
    assert intelligibility.score("at 4:30 p.m. with the FBI", "At 4:30 PM with the F.B.I.") == 0
    assert intelligibility.score("Pay $5 now", "pay five dollars now") == 0
    for heard in ("March 3 at 4.30pm.", "March 3 at 4, 30pm", "March 3rd at 4:30 PM"):
        assert intelligibility.score("March 3rd at 4:30 p.m.", heard) == 0, heard
    assert intelligibility.score("Call Siobhan today", "call shivon today") == pytest.approx(1 / 3)


def test_intelligibility_scores_every_english_voice(
        engine: KokoroEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[tuple[str, str]] = []

    def synth(text: str, voice: str) -> NDArray[np.float32]:
        said.append((text, voice))
        return np.zeros(2400, np.float32)

    def heard(_audio: NDArray[np.float32], _rate: int) -> str:
        text, voice = said[-1]
        return "completely wrong words here" if voice == "bm_four" else text

    monkeypatch.setattr(intelligibility, "synthesizer", lambda ctx: (synth, "stand-in"))
    monkeypatch.setattr(intelligibility, "transcribe", heard)
    monkeypatch.setattr(intelligibility, "human_reference", lambda repo: {"clip": 0.0})
    report = intelligibility.run(SuiteContext(engine=engine, out=tmp_path, quick=True))

    # Spanish is not an English voice; quick keeps the control sentence.
    assert {v for _, v in said} == {"af_one", "am_two", "bf_three", "bm_four"}
    assert len(said) == 4 * intelligibility.QUICK_SENTENCES
    per_voice = report.data["per_voice"]
    assert per_voice["af_one"] == 0 and per_voice["bm_four"] >= 0.8
    assert report.passed is False  # one unintelligible voice misses the worst-voice target
    assert "bm_four" in {m: v for m, v, _ in report.summary}["worst voice WER"]
    assert "| bm_four | British |" in report.markdown and "human read speech" in report.markdown
    assert all(p.is_file() and p.stat().st_size > 0 for p in report.plots)


def test_clone_suite_compares_clones_with_designs_and_each_other(
        engine: KokoroEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clone, "speaker_embedding", spectral_embedding)
    monkeypatch.setattr(clone, "CEILING_VOICES", ("af_one", "am_two"))
    report = clone.run(SuiteContext(engine=engine, out=tmp_path, quick=True))

    n = clone.QUICK_DESIGNS
    assert np.asarray(report.data["clone_vs_design_matrix"]).shape == (n, n)
    assert set(report.data["ceiling"]) == {"af_one", "am_two"}
    assert report.data["audio_identical"] is True
    assert all(d["style_bytes_identical"] for d in report.data["designs"])
    assert [m for m, _, _ in report.summary][:3] == [
        "clone vs design sample (mean)", "same-voice ceiling (stock, 2 texts)",
        "different clones (mean / max)"]
    assert len(report.plots) == 2 and all(p.is_file() for p in report.plots)


def test_upload_adapter_finds_the_speakers_and_keeps_both_genders_when_quick(
        tmp_path: Path) -> None:
    folder = tmp_path / "librispeech" / "test-other"
    folder.mkdir(parents=True)
    (folder / "speakers.tsv").write_text("speaker\tgender\n30\tM\n10\tF\n20\tF\n40\tM\n")
    assert upload_suite.speakers_dir(tmp_path) == folder
    assert upload_suite.speakers_dir(folder) == folder
    assert upload_suite.quick_speakers(folder) == ["10", "30"]
    with pytest.raises(FileNotFoundError, match="VOICESMITH_EVAL_DATA"):
        upload_suite.speakers_dir(None)
    with pytest.raises(FileNotFoundError):
        upload_suite.speakers_dir(tmp_path / "empty")


@pytest.mark.parametrize(("ours", "baseline", "met"), [
    ((0.652, 0.084), (0.620, 0.051), True),
    ((0.645, 0.084), (0.620, 0.051), False),  # similarity up by less than 0.03
    ((0.700, 0.040), (0.620, 0.051), False),  # similarity bought with identity margin
])
def test_upload_target_needs_similarity_gain_without_losing_margin(
        ours: tuple[float, float], baseline: tuple[float, float], met: bool) -> None:
    from types import SimpleNamespace

    assert upload_suite.meets_target(SimpleNamespace(similarity=ours[0], margin=ours[1]),
                                     SimpleNamespace(similarity=baseline[0],
                                                     margin=baseline[1])) is met


def test_the_http_cloner_cleans_up_even_when_speech_fails() -> None:
    import io
    import json

    import httpx
    import soundfile as sf

    from voicesmith.evaluation.remote import SpeechUnavailable, http_cloner

    wav = io.BytesIO()
    sf.write(wav, np.zeros(2400, np.float32), 24_000, format="WAV", subtype="PCM_16")
    calls: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((request.method, request.url.path))
        if request.method == "DELETE":
            return httpx.Response(204)
        if request.url.path.endswith("/sample"):
            return httpx.Response(200, content=wav.getvalue())
        if request.url.path == "/v2/voice_designs":
            return httpx.Response(201, json={"data": {"id": "d1", "voice": {
                "recipe": {"gender": "female"}}}})
        if request.url.path == "/v2/voice_clones":
            assert json.loads(request.content)["gender"] == "female"
            return httpx.Response(201, json={"data": {"id": "c1"}})
        return httpx.Response(503, json={"errors": [{"detail": "engine down"}]})

    cloner = http_cloner("http://test", "k", transport=httpx.MockTransport(handler))
    with pytest.raises(SpeechUnavailable, match="503"):
        cloner("A calm woman", 1, "Hello.", "Goodbye.", True)
    assert calls[-2:] == [("DELETE", "/v2/voice_clones/c1"), ("DELETE", "/v2/voice_designs/d1")]
    assert ("POST", "/v2/text-to-speech/speech") in calls
