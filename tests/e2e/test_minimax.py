"""Provider "minimax" end to end: the SDK flows against a fake MiniMax (tests/support/fake_minimax).

A real ``voicesmith serve`` (tiny model, SQLite and PostgreSQL) is given a MiniMax
key and the fake's base URL (conftest's ``minimax_server``); designs, clones (from a
design and from an upload) and speech on every path (REST binary, base64, audio_id,
WebSocket, OpenAI) go through it. Failure modes: test_minimax_failures.py.
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator

import httpx
import pytest
import soundfile as sf
import telnyx
from openai import OpenAI

from tests.e2e.minimax_support import (
    KEY,
    TEXT,
    assert_envelope,
    design,
    raw_post,
    speak_raw,
)
from tests.e2e.server import RunningServer
from tests.e2e.speech_helpers import decode_as, ws_audio
from tests.e2e.test_voice_clones import make_clone, retrieve_clone
from tests.e2e.test_voice_designs import create, unique
from tests.support.fake_minimax import FakeMiniMax, RunningFake
from tests.unit.cloning.conftest import SPEECH


@pytest.fixture
def server(minimax_server: RunningServer) -> RunningServer:
    return minimax_server


@pytest.fixture
def fake(minimax_fake: RunningFake) -> Iterator[FakeMiniMax]:
    """The fake's state, without faults before and after each test."""
    minimax_fake.fake.clear()
    yield minimax_fake.fake
    minimax_fake.fake.clear()


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


def test_the_served_document_accepts_minimax_only_where_it_is_enabled(
        server: RunningServer, fast_server: RunningServer) -> None:
    def provider_pattern(running: RunningServer) -> str:
        doc = httpx.get(running.base_url.replace("/v2", "/openapi.json"), timeout=30).json()
        return str(doc["components"]["schemas"]["VoiceDesignCreate"]["properties"]["provider"]
                   ["pattern"])

    assert re.match(provider_pattern(server), "MiniMax")
    assert re.match(provider_pattern(server), "telnyx")
    assert not re.match(provider_pattern(fast_server), "minimax")
