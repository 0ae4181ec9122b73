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


def _speaker_clip(path: Path, f0: float, seed: int) -> None:
    """4 s of a gliding harmonic buzz with syllable-like gaps: 'speech' for the pipeline."""
    import soundfile as sf

    rate = 16_000
    t = np.arange(4 * rate) / rate
    rng = np.random.default_rng(seed)
    phase = 2 * np.pi * np.cumsum(f0 * 2 ** (np.sin(2 * np.pi * 0.7 * t) / 12)) / rate
    audio = sum(np.sin(k * phase) / k for k in range(1, 20)) * (np.sin(2 * np.pi * 3 * t) > -0.6)
    audio = 0.2 * audio + 0.002 * rng.standard_normal(t.size)
    sf.write(path, audio.astype(np.float32), rate)


def test_upload_suite_runs_every_step_and_writes_its_listening_material(
        engine: KokoroEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voicesmith.evaluation.suites import upload, upload_data

    data = tmp_path / "data"
    for speaker, f0 in (("10", 210.0), ("20", 120.0), ("30", 170.0), ("40", 95.0)):
        (data / speaker).mkdir(parents=True)
        for i in range(3):
            _speaker_clip(data / speaker / f"{speaker}-1-000{i}.flac", f0 * (1 + 0.03 * i), i)
    (data / "speakers.tsv").write_text("speaker\tgender\n10\tF\n20\tM\n30\tF\n40\tM\n")
    monkeypatch.setattr(upload, "speaker_embedding", spectral_embedding)
    monkeypatch.setattr(upload_data, "speaker_embedding", spectral_embedding)
    monkeypatch.setattr(upload, "word_error_rate", lambda *_: 0.0)
    monkeypatch.setattr(upload, "naturalness_mos", lambda *_: 3.5)
    out = tmp_path / "out"
    result = upload.run_upload_suite(engine, data_dir=data, out=out, speakers=["10", "20"],
                                     embed=spectral_embedding)

    assert [r.speaker for r in result.speakers] == ["10", "20"]
    for r in result.speakers:
        assert set(r.scores) == set(upload.SYSTEMS) and r.capture_cpu_s > 0
        assert r.baseline_voice[1] == r.gender[0]  # the baseline obeys the gender too
        # the real speaker is closer to themself than to the other speakers
        assert r.scores["ceiling"].margin > 0
    assert result.stock_mos == 3.5 and (out / "upload.json").is_file()
    audio = {p.name for p in (out / "audio").iterdir()}
    for system in ("reference", "baseline_0", "bank_1", "style_0", "ours_1"):
        assert f"10_{system}.wav" in audio


def test_one_file_per_speaker_is_cut_into_a_clone_part_and_a_held_out_part(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import soundfile as sf

    from voicesmith.evaluation.suites import upload_data

    rate = 16_000
    t = np.arange(10 * rate) / rate
    voiced = np.sin(2 * np.pi * 140 * t) * (np.abs(t - 4.6) > 0.15)  # a pause at 4.6 s
    sf.write(tmp_path / "7-1-0000.flac", (0.3 * voiced).astype(np.float32), rate)
    (tmp_path / "7").mkdir()  # a stray folder must not hide the file layout's other rows
    (tmp_path / "speakers.tsv").write_text("file\tspeaker\tgender\n7-1-0000.flac\t8\tM\n")
    monkeypatch.setattr(upload_data, "speaker_embedding", spectral_embedding)
    speakers = upload_data.read_speakers(tmp_path)
    assert speakers.genders == {"8": "male"} and speakers.files == {"8": "7-1-0000.flac"}
    assert set(speakers.utterances("8")) == {"7-1-0000-a", "7-1-0000-b"}
    name, rec = speakers.clone_source("8")
    # cut in the pause, not mid-word: the clone part is the first 4.5-4.8 s
    assert name == "7-1-0000-a" and 4.3 < rec.original_duration_s < 4.8


def _upload_result(ours: tuple[float, float], *, wer: float = 0.01, mos: float = 3.2,
                   cpu: float = 7.5, stock_mos: float = 3.4):  # type: ignore[no-untyped-def]
    from voicesmith.evaluation.suites.upload import (
        SYSTEMS,
        Score,
        SpeakerResult,
        UploadSuiteResult,
    )

    scores = {s: Score(0.6, 0.05) for s in SYSTEMS} | {"ours": Score(*ours)}
    speaker = SpeakerResult(
        speaker="1<2>", gender="female", clone_utterance="1-2-0003", reference_speech_s=8.2,
        scores=scores, baseline_voice="af_x", ours_voice="fit +1.00*af_x", postprocess=None,
        capture_cpu_s=cpu, capture_wall_s=cpu, ours_wer=wer, ours_mos=mos)
    return UploadSuiteResult(speakers=[speaker], mean=scores, stock_mos=stock_mos,
                             postprocess_rtf=None, synthesis_rtf=0.3)


@pytest.mark.parametrize(("kwargs", "failed"), [
    ({"ours": (0.71, 0.10)}, set()),
    ({"ours": (0.69, 0.10)}, {"ours: held-out similarity"}),
    ({"ours": (0.71, 0.08)}, {"ours: identity margin"}),  # likeness bought with the channel
    ({"ours": (0.71, 0.10), "wer": 0.08}, {"ours: WER (mean)"}),
    ({"ours": (0.71, 0.10), "mos": 2.9}, {"ours: DistillMOS (mean)"}),  # 3.4 - 0.4 = 3.0
    ({"ours": (0.71, 0.10), "cpu": 10.5}, {"capture CPU s (slowest speaker)"}),
])
def test_upload_verdicts_check_every_acceptance_target(kwargs: dict, failed: set[str]) -> None:  # type: ignore[type-arg]
    checks = upload_suite.verdicts(_upload_result(**kwargs))
    assert {measure for measure, _, _, met in checks if not met} == failed


def test_the_listening_page_plays_the_recording_beside_each_clone() -> None:
    from voicesmith.evaluation.suites.upload_listening import render_listening_page

    page = render_listening_page(_upload_result((0.71, 0.1)), "upload/audio")
    assert 'src="upload/audio/1&lt;2&gt;_reference.wav"' in page  # escaped, never raw markup
    for system in ("baseline", "bank", "style", "ours"):
        for i in (0, 1):
            assert f'src="upload/audio/1&lt;2&gt;_{system}_{i}.wav"' in page
    assert "<script" not in page and "similarity 0.710" in page


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
