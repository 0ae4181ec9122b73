"""Voice clones from an uploaded recording, through the official SDK's create_from_upload.

Recordings are made at test time from LibriSpeech clips with PyAV, one per
accepted format. The format and error tests run on the fast server (tiny
model: the capture runs end to end, but what it picks means nothing); one
test captures with the real model and checks the clone's gender.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import telnyx
from numpy.typing import NDArray

from tests.e2e.server import RunningServer
from tests.e2e.speech_helpers import TEXT, assert_says_the_words
from tests.e2e.test_voice_clones import retrieve_clone
from tests.e2e.test_voice_designs import unique
from tests.unit.cloning.conftest import SPEECH, encode
from tests.unit.cloning.test_recording import FORMATS, _codec

pytest.importorskip("resemblyzer", reason="upload cloning needs the clone extra")
median_f0 = pytest.importorskip("voicesmith.evaluation.pitch").median_f0

LIBRISPEECH = Path(__file__).resolve().parents[2].parent / "shared/data/librispeech/test-other"

Speech = tuple[NDArray[np.float32], int]
# A short ref_text makes capture's probe short: on the tiny model each capture
# then takes a few seconds instead of ten (the capture itself is unchanged).
SHORT_TEXT = "He walked to the harbour to watch the boats come in."


def _clip(speaker: str, index: int = 1) -> Speech:
    path = LIBRISPEECH / speaker / f"{speaker}-{'142285' if speaker == '1688' else '*'}-000{index}.flac"
    found = sorted(path.parent.glob(path.name)) if path.parent.is_dir() else []
    source = found[0] if found else SPEECH  # the clip shipped with the repo (speaker 1688)
    samples, rate = sf.read(source, dtype="float32")
    return samples, int(rate)


@pytest.fixture(scope="module")
def speech() -> Speech:
    return _clip("1688")


def _wav(samples: NDArray[np.float32], rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def upload(client: telnyx.Telnyx, name: str, audio: bytes | None, filename: str = "clip.wav",
           **fields: object):  # type: ignore[no-untyped-def]
    """POST /voice_clones/from_upload as the SDK sends it; the raw response (status, body)."""
    request: dict[str, object] = {"name": name, "language": "en", "gender": "male",
                                  "provider": "telnyx", **fields}
    if audio is not None:
        request["audio_file"] = (filename, audio)
    return client.voice_clones.with_raw_response.create_from_upload(
        voice_clone_upload_request=request)  # type: ignore[arg-type]


def wait_until_settled(client: telnyx.Telnyx, clone_id: str, timeout: float = 240.0):  # type: ignore[no-untyped-def]
    """Poll GET /voice_clones/{id} while it is pending, as Telnyx's docs say to."""
    deadline = time.monotonic() + timeout
    while True:
        clone = retrieve_clone(client, clone_id).data
        if clone.to_dict()["status"] != "pending" or time.monotonic() > deadline:
            return clone
        time.sleep(1.0)


def settled(client: telnyx.Telnyx, raw):  # type: ignore[no-untyped-def]
    """The clone an accepted upload made, once its capture has finished.

    201 active is the normal answer; on a busy machine the capture may outlast
    the request's wait and the answer is 202 pending, then active, as documented.
    The suite must not depend on the machine's speed, so both are accepted."""
    assert raw.status_code in (201, 202), raw.status_code
    clone = raw.parse().data
    if raw.status_code == 202:
        assert clone.to_dict()["status"] == "pending"
        clone = wait_until_settled(client, clone.id, timeout=600.0)
    return clone


def blob_files(server: RunningServer) -> set[str]:
    return {p.name for p in (server.data_dir / "blobs").glob("??/*")}


def check_sample(client: telnyx.Telnyx, clone_id: str, size: int) -> float:
    """The clone's sample is the trimmed recording: 24 kHz mono WAV, 3..10 s. Its length."""
    wav = client.voice_clones.download_sample(clone_id).read()
    assert len(wav) == size
    samples, rate = sf.read(io.BytesIO(wav), dtype="float32")
    assert rate == 24_000 and samples.ndim == 1
    seconds = samples.size / rate
    assert 3.0 <= seconds <= 11.0  # 10 s of speech plus the pauses kept between words
    return seconds


@pytest.mark.parametrize(("container", "codec", "filename"), FORMATS,
                         ids=[f[2].split(".")[1] for f in FORMATS])
def test_each_format_makes_an_active_clone(fast_server: RunningServer, speech: Speech,
                                           container: str, codec: str, filename: str) -> None:
    client = fast_server.client()
    samples, rate = speech
    # Stereo at 44.1/48 kHz: any rate and channel count is accepted.
    out_rate = 48_000 if codec == "libopus" else 44_100
    audio = encode(samples[: 7 * rate], rate, container=container, codec=_codec(codec),
                   out_rate=out_rate, channels=2)
    name = unique(f"up-{filename.split('.')[1]}")
    raw = upload(client, name, audio, filename, gender="neutral", label="my narrator",
                 ref_text=SHORT_TEXT)
    clone = settled(client, raw)
    body = clone.to_dict()
    assert body["status"] == "active" and body["source"] == "upload"
    assert clone.name == name and clone.provider_voice_id == clone.id
    assert clone.label == "my narrator" and clone.gender == "neutral"
    assert clone.source_voice_design_id is None and clone.model_id == "Qwen3TTS"
    # "neutral" lets capture tell the gender from the recording's pitch (speaker 1688 is male).
    assert body["capture"]["gender"] == "male" and body["capture"]["gender_source"] == "median_f0"
    assert body["capture"]["recording"]["channels"] == 2
    assert body["capture"]["recording"]["sample_rate"] == out_rate
    check_sample(client, clone.id, clone.voice_sample_size)
    assert retrieve_clone(client, clone.id).data.to_dict()["status"] == "active"
    assert [c.id for c in client.voice_clones.list(filter_name=name)] == [clone.id]


def test_long_upload_keeps_the_first_ten_seconds(fast_server: RunningServer,
                                                 speech: Speech) -> None:
    client = fast_server.client()
    samples, rate = speech  # 12.6 s of speech
    raw = upload(client, unique("long"), _wav(samples, rate), ref_text=(
        "A transcript of the recording, which capture reads with each candidate voice."))
    clone = settled(client, raw)
    assert clone.to_dict()["capture"]["recording"]["speech_s"] <= 10.01
    assert check_sample(client, clone.id, clone.voice_sample_size) < samples.size / rate


def _errors(exc: telnyx.APIStatusError) -> dict[str, object]:
    errors = exc.response.json()["errors"]
    assert len(errors) == 1 and exc.response.headers["x-should-retry"] == "false"
    return errors[0]  # type: ignore[no-any-return]


def test_each_error_stores_nothing(fast_server: RunningServer, speech: Speech) -> None:
    client = fast_server.client()
    samples, rate = speech
    prefix = unique("bad")
    before = blob_files(fast_server)
    t = np.arange(5 * rate) / rate

    cases: list[tuple[str, Callable[[str], object], type[telnyx.APIStatusError], str]] = [
        ("undecodable", lambda n: upload(client, n, b"this is not audio " * 500, "voice.mp3"),
         telnyx.BadRequestError, "could not be decoded"),
        ("missing file", lambda n: upload(client, n, None), telnyx.UnprocessableEntityError,
         "audio_file"),
        ("too large", lambda n: upload(client, n, b"\0" * (20 * 1024 * 1024 + 1), "big.wav"),
         telnyx.UnprocessableEntityError, "20 MB"),
        ("too short", lambda n: upload(client, n, _wav(samples[: int(2.0 * rate)], rate)),
         telnyx.UnprocessableEntityError, "at least 3 s"),
        ("silent", lambda n: upload(client, n, _wav(np.zeros(5 * rate, np.float32), rate)),
         telnyx.UnprocessableEntityError, "silent"),
        ("clipped", lambda n: upload(client, n, _wav(
            np.clip(samples[: 6 * rate] * 30.0, -1.0, 1.0), rate)),
         telnyx.UnprocessableEntityError, "clipped"),
        ("quiet hum", lambda n: upload(client, n, _wav(
            (3e-3 * np.sin(2 * np.pi * 50 * t)).astype(np.float32), rate)),
         telnyx.UnprocessableEntityError, "no speech"),
    ]
    for i, (what, call, error, words) in enumerate(cases):
        with pytest.raises(error) as caught:
            call(f"{prefix}-{i}")
        err = _errors(caught.value)
        assert words in str(err["detail"]), (what, err)
        if error is telnyx.BadRequestError:
            assert err["code"] == "10015", (what, err)
        else:
            assert err["source"] == {"pointer": "/audio_file"}, (what, err)  # type: ignore[comparison-overlap]
    assert list(client.voice_clones.list(filter_name=prefix)) == []
    assert blob_files(fast_server) == before


def test_field_errors_come_before_any_work(fast_server: RunningServer, speech: Speech) -> None:
    client = fast_server.client()
    samples, rate = speech
    good = _wav(samples[: 6 * rate], rate)
    before = blob_files(fast_server)
    with pytest.raises(telnyx.UnprocessableEntityError) as gender:
        upload(client, unique("g"), good, gender="robot")
    assert _errors(gender.value)["source"] == {"pointer": "/gender"}
    with pytest.raises(telnyx.UnprocessableEntityError) as model:
        upload(client, unique("m"), good, model_id="Ultra")
    assert _errors(model.value)["source"] == {"pointer": "/model_id"}
    with pytest.raises(telnyx.UnprocessableEntityError) as provider:
        upload(client, unique("p"), good, provider="minimax")
    assert _errors(provider.value)["source"] == {"pointer": "/provider"}
    with pytest.raises(telnyx.UnprocessableEntityError) as german:
        upload(client, unique("de"), good, language="de")
    assert "German" in str(_errors(german.value)["detail"])
    with pytest.raises(telnyx.UnprocessableEntityError) as no_name:
        client.voice_clones.create_from_upload(voice_clone_upload_request={  # type: ignore[typeddict-item]
            "audio_file": ("a.wav", good), "language": "en", "gender": "male", "provider": "telnyx"})
    assert _errors(no_name.value)["source"] == {"pointer": "/name"}
    taken = unique("taken")
    settled(client, upload(client, taken, good, ref_text=SHORT_TEXT))
    after_first = blob_files(fast_server)
    with pytest.raises(telnyx.ConflictError):
        upload(client, taken, _wav(samples[rate: 7 * rate], rate))
    assert blob_files(fast_server) == after_first and len(after_first - before) == 1


@pytest.mark.slow
def test_real_capture_picks_the_speakers_gender(real_server: RunningServer) -> None:
    """A female speaker, gender not given: the clone's voice is female and it is usable."""
    if not (LIBRISPEECH / "3080").is_dir():
        pytest.skip("LibriSpeech test-other speakers not found beside the repo")
    client = real_server.client()
    samples, rate = _clip("3080", 1)
    name = unique("her")
    raw = upload(client, name, encode(samples, rate, container="mp3", codec="libmp3lame"),
                 "her.mp3", gender="neutral", language="English")
    # the shipped voice bank: even the first capture of a fresh data dir embeds no stock
    # voice and finishes well within the request's wait
    assert raw.status_code == 201, raw.status_code
    clone = settled(client, raw)
    body = clone.to_dict()
    assert body["status"] == "active" and body["capture"]["gender"] == "female"
    # e.g. "fit +0.81*af_bella -0.32*bf_emma ...": only female voices are blended
    used = re.findall(r"\b([a-z])([fm])_[a-z]+", body["capture"]["voice"])
    assert used and all(g == "f" for _, g in used), body["capture"]["voice"]
    # Capture ranks only voices of the recording's gender.
    assert body["capture"]["baseline"][1] == "f"
    check_sample(client, clone.id, clone.voice_sample_size)
    # What the clone is for: it speaks new text, in her register, intelligibly.
    with client.text_to_speech.with_streaming_response.generate_speech(
            text=TEXT, voice=f"Telnyx.Qwen3TTS.{clone.id}",
            telnyx={"response_format": "wav", "sampling_rate": 24000}) as resp:
        spoken, spoken_rate = sf.read(io.BytesIO(resp.read()), dtype="float32")
    assert spoken_rate == 24000 and 2.5 < len(spoken) / spoken_rate < 8
    assert_says_the_words(spoken, spoken_rate)
    assert median_f0(spoken, spoken_rate) > 165  # capture's own male/female line
    again = retrieve_clone(client, name).data
    assert again.id == clone.id and again.to_dict()["status"] == "active"
    client.voice_clones.delete(clone.id)
    with pytest.raises(telnyx.NotFoundError):
        retrieve_clone(client, clone.id)
