"""Provider "minimax" end to end: the SDK flows against a fake MiniMax (tests/support/fake_minimax).

A real ``voicesmith serve`` (tiny model) is given a MiniMax key and the fake's
base URL; designs, clones (from a design and from an upload) and speech on every
path (REST binary, base64, audio_id, WebSocket, OpenAI) go through it, then each
failure mode: the right status in the Telnyx envelope, and nothing stored.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import soundfile as sf
import telnyx
from openai import OpenAI

from tests.e2e.server import RunningServer, free_port, server_env
from tests.e2e.speech_helpers import decode_as, ws_audio
from tests.e2e.test_voice_clones import make_clone, retrieve_clone
from tests.e2e.test_voice_designs import create, unique
from tests.support.fake_minimax import FakeMiniMax, Fault, RunningFake
from tests.unit.cloning.conftest import SPEECH

KEY = "fake-minimax-key"
TEXT = "Hello from MiniMax."


def minimax_env(tiny_model: Path, base_url: str, **extra: str) -> dict[str, str]:
    return server_env(VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_MINIMAX_API_KEY=KEY,
                      VOICESMITH_MINIMAX_BASE_URL=base_url, VOICESMITH_MINIMAX_GROUP_ID="g-test",
                      # short, so the "slow" fault (3 s) is a timeout and retries are quick
                      VOICESMITH_MINIMAX_TIMEOUT_SECONDS="1", VOICESMITH_MINIMAX_MAX_RETRIES="1",
                      VOICESMITH_MINIMAX_BACKOFF_SECONDS="0.05", **extra)


@pytest.fixture(scope="module")
def running_fake() -> Iterator[RunningFake]:
    running = RunningFake(FakeMiniMax(api_key=KEY), free_port()).start()
    yield running
    running.stop()


@pytest.fixture
def fake(running_fake: RunningFake) -> Iterator[FakeMiniMax]:
    running_fake.fake.clear()
    yield running_fake.fake
    running_fake.fake.clear()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, running_fake: RunningFake, tiny_model: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with a MiniMax key, on each database (as conftest's fast_server)."""
    extra = {}
    if request.param == "postgresql":
        extra["VOICESMITH_DATABASE_URL"] = \
            request.getfixturevalue("postgres").create_database("minimax")
    running = RunningServer(tmp_path_factory.mktemp(f"minimax-data-{request.param}"),
                            minimax_env(tiny_model, running_fake.base_url, **extra)).start()
    yield running
    running.stop()


def blobs(server: RunningServer) -> int:
    return sum(1 for p in (server.data_dir / "blobs").rglob("*") if p.is_file())


def design(client: telnyx.Telnyx, **kw: object):  # type: ignore[no-untyped-def]
    return create(client, unique("mm"), prompt="A warm, low narrator", text="Hello there.",
                  provider="minimax", **kw)


def raw_post(server: RunningServer, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{server.base_url}{path}", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {server.key}"})


def assert_envelope(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["code"] and error["title"]
    for word in words:
        assert word in error["detail"], error["detail"]


# -- without a key -------------------------------------------------------------------


def test_without_a_key_minimax_is_a_422_that_says_how_to_enable_it(
        fast_server: RunningServer) -> None:
    response = raw_post(fast_server, "/voice_designs",
                        {"name": unique("nokey"), "prompt": "p", "text": "t",
                         "provider": "Minimax"})
    assert_envelope(response, 422, "VOICESMITH_MINIMAX_API_KEY")
    assert response.json()["errors"][0]["source"]["pointer"] == "/provider"
    with pytest.raises(telnyx.UnprocessableEntityError):
        fast_server.client().voice_designs.create(name=unique("nokey"), prompt="p", text="t",
                                                  provider="minimax")


# -- designs -------------------------------------------------------------------------


def test_design_versions_are_made_by_minimax(server: RunningServer, fake: FakeMiniMax) -> None:
    client = server.client()
    d = design(client, temperature=0.1, top_k=3)  # Qwen3-only knobs: ignored
    assert d.provider == "Minimax" and d.version == 1
    assert d.provider_voice_id in fake.voices and d.provider_voice_id.startswith("ttv-voice-")
    assert "speech-02-hd" in d.provider_supported_models
    call = fake.calls_to("/v1/voice_design")[-1]
    assert call.body == {"prompt": "A warm, low narrator", "preview_text": "Hello there."}
    assert call.authorization == f"Bearer {KEY}" and call.query == {"GroupId": "g-test"}
    wav = client.voice_designs.download_sample(d.id).read()
    samples, rate = sf.read(io.BytesIO(wav))
    assert len(wav) == d.voice_sample_size and rate == 24_000 and len(samples) > 4_800
    # A new version (no provider named) is its design's provider's too.
    v2 = client.voice_designs.create(voice_design_id=d.id, prompt="Deeper", text="Again.").data
    assert v2.version == 2 and v2.provider == "Minimax"
    assert v2.provider_voice_id in fake.voices and v2.provider_voice_id != d.provider_voice_id
    listed = client.voice_designs.list(extra_query={"filter[name]": d.name}).data
    assert [(x.name, x.provider) for x in listed] == [(d.name, "Minimax")]
    again = client.voice_designs.retrieve(d.id, extra_query={"version": 1}).data
    assert again.provider_voice_id == d.provider_voice_id


def test_deleting_a_design_deletes_its_minimax_voices(server: RunningServer,
                                                      fake: FakeMiniMax) -> None:
    client = server.client()
    d = design(client)
    client.voice_designs.delete(d.id)
    assert d.provider_voice_id not in fake.voices
    assert fake.calls_to("/v1/delete_voice")[-1].body == {
        "voice_type": "voice_generation", "voice_id": d.provider_voice_id}


def test_the_default_provider_is_unaffected(server: RunningServer, fake: FakeMiniMax) -> None:
    client = server.client()
    before = len(fake.calls)
    d = create(client, unique("local"))
    assert d.provider == "Telnyx" and d.provider_voice_id != d.id
    assert d.provider_supported_models == ["Qwen3TTS", "Kokoro"]
    c = make_clone(client, d.id, unique("local-clone"))
    assert c.provider == "Telnyx" and c.provider_voice_id == c.id
    r = client.text_to_speech.with_raw_response.generate_speech(text=TEXT, voice=c.id)
    assert r.http_response.status_code == 200 and len(fake.calls) == before


# -- clones and speech ---------------------------------------------------------------


def speak_raw(server: RunningServer, voice: str, **extra: object) -> httpx.Response:
    return raw_post(server, "/text-to-speech/speech", {"text": TEXT, "voice": voice, **extra})


def test_a_clone_of_a_design_speaks_on_every_path(server: RunningServer,
                                                  fake: FakeMiniMax) -> None:
    client = server.client()
    d = design(client)
    c = make_clone(client, d.id, unique("mm-clone"))
    assert (c.provider, c.provider_voice_id, c.model_id) == (
        "Minimax", d.provider_voice_id, "speech-02-hd")
    voice_id = f"Minimax.speech-02-hd.{c.provider_voice_id}"

    # REST binary, converted by our pipeline to the requested format and rate.
    r = speak_raw(server, voice_id, telnyx={"response_format": "wav", "sampling_rate": 16000})
    assert r.status_code == 200 and r.headers["x-voicesmith-cache"] == "miss"
    samples, rate = decode_as(r.content, "wav", 16000)
    assert rate == 16000 and samples.size > 1600
    t2a = fake.calls_to("/v1/t2a_v2")[-1].body
    assert t2a["stream"] is True and t2a["model"] == "speech-02-hd" and t2a["text"] == TEXT
    assert t2a["voice_setting"]["voice_id"] == c.provider_voice_id
    assert t2a["audio_setting"] == {"sample_rate": 24000, "format": "pcm", "channel": 1}
    # The speech cache serves the same request again, in any format, without MiniMax.
    calls = len(fake.calls_to("/v1/t2a_v2"))
    again = speak_raw(server, c.id, telnyx={"response_format": "mp3"})
    assert again.headers["x-voicesmith-cache"] == "hit"
    assert len(fake.calls_to("/v1/t2a_v2")) == calls

    # A language the engine has no voices for is MiniMax's to speak.
    assert speak_raw(server, c.id, language="German", disable_cache=True).status_code == 200

    # base64_output and audio_id, by clone name, uncached.
    b64 = speak_raw(server, c.name, output_type="base64_output", disable_cache=True,
                    telnyx={"response_format": "pcm"})
    assert b64.status_code == 200 and len(base64.b64decode(b64.json()["base64_audio"])) > 1000
    job = speak_raw(server, c.id, output_type="audio_id", disable_cache=True)
    audio = httpx.get(job.json()["audio_url"], timeout=60,
                      headers={"Authorization": f"Bearer {server.key}"})
    assert audio.status_code == 200 and len(audio.content) > 500

    # The WebSocket, through the SDK.
    with client.text_to_speech.stream(extra_query={"voice": voice_id,
                                                   "audio_format": "linear16"}) as conn:
        conn.send({"text": " "})
        conn.send({"text": "Over the socket. "})
        conn.send({"text": ""})
        pcm, _ = ws_audio(conn)
    assert len(pcm) > 1000

    # OpenAI's SDK.
    openai = OpenAI(base_url=server.base_url.replace("/v2", "/v1"), api_key=server.key)
    wav = openai.audio.speech.create(model="tts-1", voice=c.id, input="Open AI path.",
                                     response_format="wav").read()
    assert sf.info(io.BytesIO(wav)).samplerate == 24_000

    # Listed with its MiniMax voice id.
    voices = client.get("/text-to-speech/voices", cast_to=object,
                        options={"params": {"provider": "minimax"}})
    assert {"voice_id": voice_id, "provider": "minimax", "model_id": "speech-02-hd"}.items() <= \
        next(v for v in voices["voices"] if v["name"] == c.name).items()  # type: ignore[index]


def test_deleting_a_clone_deletes_the_minimax_voice_once_nothing_uses_it(
        server: RunningServer, fake: FakeMiniMax) -> None:
    client = server.client()
    d = design(client)
    c = make_clone(client, d.id, unique("mm-del"))
    client.voice_designs.delete(d.id)
    assert d.provider_voice_id in fake.voices  # the clone still speaks with it
    client.voice_clones.delete(c.id)
    assert d.provider_voice_id not in fake.voices
    with pytest.raises(telnyx.NotFoundError):
        retrieve_clone(client, c.id)


def upload(server: RunningServer, name: str, **fields: object) -> httpx.Response:
    data = {"name": name, "language": "en", "gender": "male", "provider": "minimax",
            **{k: str(v) for k, v in fields.items()}}
    return httpx.post(f"{server.base_url}/voice_clones/from_upload", data=data, timeout=60,
                      files={"audio_file": ("me.flac", SPEECH.read_bytes(), "audio/flac")},
                      headers={"Authorization": f"Bearer {server.key}"})


def test_a_clone_from_an_upload_is_cloned_by_minimax(server: RunningServer,
                                                     fake: FakeMiniMax) -> None:
    client = server.client()
    r = client.voice_clones.with_raw_response.create_from_upload(voice_clone_upload_request={
        "audio_file": ("me.flac", SPEECH.read_bytes()), "name": unique("mm-up"),
        "language": "en", "gender": "male", "provider": "minimax"})  # type: ignore[typeddict-item]
    assert r.http_response.status_code == 201
    c = r.parse().data
    assert c.provider == "Minimax" and c.to_dict()["status"] == "active"
    assert fake.voices[c.provider_voice_id] == "voice_cloning"
    uploaded = fake.calls_to("/v1/voice_clone")[-1].body
    assert uploaded["voice_id"] == c.provider_voice_id
    # FLAC is no format MiniMax clones from: it was sent as a WAV, whole (12.6 s).
    sent = fake.files[uploaded["file_id"]]
    assert sent[:4] == b"RIFF" and sf.info(io.BytesIO(sent)).duration > 12
    wav = client.voice_clones.download_sample(c.id).read()
    assert sf.info(io.BytesIO(wav)).samplerate == 24_000
    assert speak_raw(server, f"Minimax.speech-02-hd.{c.provider_voice_id}").status_code == 200
    client.voice_clones.delete(c.id)
    assert c.provider_voice_id not in fake.voices
    assert fake.calls_to("/v1/delete_voice")[-1].body["voice_type"] == "voice_cloning"


# -- failures: the right status, the Telnyx envelope, nothing stored -------------------


def design_body(**extra: object) -> dict[str, object]:
    return {"name": unique("mm-fail"), "prompt": "A calm voice", "text": "Hello.",
            "provider": "minimax", **extra}


def assert_no_design(server: RunningServer, name: object) -> None:
    found = server.client().voice_designs.list(extra_query={"filter[name]": str(name)}).data
    assert found == []


@pytest.mark.parametrize(("fault", "status", "words"), [
    (Fault("error", code=1008), 502, "balance"),
    (Fault("error", code=1004), 502, "VOICESMITH_MINIMAX_API_KEY"),
    (Fault("error", code=2013), 502, "2013"),
    (Fault("http", code=500), 502, "HTTP 500"),
    (Fault("slow", delay_s=3.0), 502, "in time"),
    (Fault("rate_limit", times=-1), 429, "rate-limiting"),
])
def test_a_failed_design_stores_nothing(server: RunningServer, fake: FakeMiniMax, fault: Fault,
                                        status: int, words: str) -> None:
    fake.inject(replace(fault, path="/v1/voice_design"))  # a copy: a fault counts its hits
    before, calls = blobs(server), len(fake.calls_to("/v1/voice_design"))
    body = design_body()
    response = raw_post(server, "/voice_designs", body)
    assert_envelope(response, status, words)
    assert_no_design(server, body["name"])
    assert blobs(server) == before
    made = len(fake.calls_to("/v1/voice_design")) - calls
    if status == 429:  # refused before any work: retried (once, as configured), then 429
        assert response.headers["retry-after"] == "1" and made == 2
        assert "x-should-retry" not in response.headers
    else:  # creating calls are never repeated after a timeout or a server error
        assert made == 1 and response.headers["x-should-retry"] == "false"


def test_a_transient_speech_failure_is_retried(server: RunningServer, fake: FakeMiniMax) -> None:
    client = server.client()
    c = make_clone(client, design(client).id, unique("mm-retry"))
    fake.inject(Fault("http", path="/v1/t2a_v2", code=503))
    calls = len(fake.calls_to("/v1/t2a_v2"))
    assert speak_raw(server, c.id, disable_cache=True).status_code == 200
    assert len(fake.calls_to("/v1/t2a_v2")) == calls + 2


@pytest.mark.parametrize(("fault", "status", "words"), [
    (Fault("error", code=1004, times=-1), 502, "API key"),
    (Fault("slow", delay_s=3.0, times=-1), 502, "in time"),
    (Fault("rate_limit", times=-1), 429, "rate-limiting"),
    (Fault("mid_stream", times=-1), 502, "1000"),
])
def test_failed_speech_is_an_error_on_every_path_and_is_not_cached(
        server: RunningServer, fake: FakeMiniMax, fault: Fault, status: int,
        words: str) -> None:
    client = server.client()
    c = make_clone(client, design(client).id, unique("mm-speak"))
    fake.inject(replace(fault, path="/v1/t2a_v2"))
    for extra in ({}, {"output_type": "base64_output"}, {"output_type": "audio_id"}):
        assert_envelope(speak_raw(server, c.id, **extra), status, words)
    openai = httpx.post(f"{server.base_url}/audio/speech", timeout=60,
                        headers={"Authorization": f"Bearer {server.key}"},
                        json={"model": "tts-1", "voice": c.id, "input": TEXT})
    assert_envelope(openai, status, words)
    with client.text_to_speech.stream(extra_query={"voice": c.id}) as conn:
        conn.send({"text": " "})
        conn.send({"text": TEXT})
        conn.send({"text": ""})
        with pytest.raises(AssertionError, match="error frame"):
            ws_audio(conn)
    fake.clear()
    assert speak_raw(server, c.id).headers["x-voicesmith-cache"] == "miss"


def test_a_wav_upload_is_sent_as_it_is_and_a_short_one_is_refused(
        server: RunningServer, fake: FakeMiniMax) -> None:
    samples, rate = sf.read(SPEECH, dtype="float32")
    for seconds, status in ((12, 201), (6, 422)):
        buf = io.BytesIO()
        sf.write(buf, samples[: seconds * rate], rate, format="WAV", subtype="PCM_16")
        before = len(fake.calls_to("/v1/files/upload"))
        r = httpx.post(f"{server.base_url}/voice_clones/from_upload", timeout=60,
                       data={"name": unique("mm-wav"), "language": "en", "gender": "male",
                             "provider": "minimax"},
                       files={"audio_file": ("me.wav", buf.getvalue(), "audio/wav")},
                       headers={"Authorization": f"Bearer {server.key}"})
        assert r.status_code == status, r.text
        if status == 201:
            file_id = fake.calls_to("/v1/voice_clone")[-1].body["file_id"]
            assert fake.files[file_id] == buf.getvalue()
        else:
            assert "10 s" in r.json()["errors"][0]["detail"]
            assert len(fake.calls_to("/v1/files/upload")) == before


def test_a_failed_upload_clone_stores_nothing(server: RunningServer, fake: FakeMiniMax) -> None:
    for path in ("/v1/files/upload", "/v1/voice_clone"):
        fake.inject(Fault("error", path=path, code=1008))
        before, voices = blobs(server), dict(fake.voices)
        name = unique("mm-up-fail")
        assert_envelope(upload(server, name), 502, "balance")
        assert blobs(server) == before and fake.voices == voices
        with pytest.raises(telnyx.NotFoundError):
            retrieve_clone(server.client(), name)


def test_a_clone_whose_minimax_delete_fails_is_kept(server: RunningServer,
                                                    fake: FakeMiniMax) -> None:
    client = server.client()
    r = upload(server, unique("mm-keep"))
    clone = r.json()["data"]
    fake.inject(Fault("error", path="/v1/delete_voice", code=1024, times=-1))
    response = httpx.delete(f"{server.base_url}/voice_clones/{clone['id']}", timeout=60,
                            headers={"Authorization": f"Bearer {server.key}"})
    assert_envelope(response, 502, "1024")
    assert retrieve_clone(client, clone["id"]).data.id == clone["id"]
    assert clone["provider_voice_id"] in fake.voices
    fake.clear()
    client.voice_clones.delete(clone["id"])
    assert clone["provider_voice_id"] not in fake.voices


def test_minimax_unreachable_is_a_502(tiny_model: Path,
                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    running = RunningServer(tmp_path_factory.mktemp("minimax-dead"),
                            minimax_env(tiny_model, dead)).start()
    try:
        response = raw_post(running, "/voice_designs", design_body())
        assert_envelope(response, 502, "unreachable", "VOICESMITH_MINIMAX_BASE_URL")
        assert blobs(running) == 0
    finally:
        running.stop()


def test_a_stream_failing_after_its_first_audio_is_cut_off_and_not_cached(
        server: RunningServer, fake: FakeMiniMax) -> None:
    client = server.client()
    c = make_clone(client, design(client).id, unique("mm-cut"))
    long_text = "A longer text, so that MiniMax streams several seconds of audio to us."
    fake.inject(Fault("mid_stream", path="/v1/t2a_v2", after=20, times=-1))  # ~1.7 s of audio
    body = {"text": long_text, "voice": c.id, "telnyx": {"response_format": "pcm"}}
    with pytest.raises(httpx.RemoteProtocolError):  # the audio began: the stream is cut off
        raw_post(server, "/text-to-speech/speech", body)
    whole = raw_post(server, "/text-to-speech/speech", {**body, "output_type": "base64_output"})
    assert_envelope(whole, 502, "1000")  # a whole answer is still an error
    fake.clear()
    assert raw_post(server, "/text-to-speech/speech", body).headers["x-voicesmith-cache"] == "miss"
