"""Provider "minimax" failures end to end: the right status, the Telnyx envelope, nothing stored.

Each failure is injected into the fake MiniMax (tests/support/fake_minimax.Fault):
MiniMax's error codes, HTTP 5xx, slow answers (past the server's 1 s timeout),
rate limits, a stream that fails midway, and a MiniMax nobody listens at.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
import telnyx

from tests.e2e.minimax_support import (
    TEXT,
    assert_envelope,
    assert_no_design,
    blobs,
    design,
    design_body,
    minimax_env,
    raw_post,
    speak_raw,
    upload,
)
from tests.e2e.server import RunningServer, free_port
from tests.e2e.speech_helpers import ws_audio
from tests.e2e.test_voice_clones import make_clone, retrieve_clone
from tests.e2e.test_voice_designs import unique
from tests.support.fake_minimax import FakeMiniMax, Fault, RunningFake


@pytest.fixture
def server(minimax_server: RunningServer) -> RunningServer:
    return minimax_server


@pytest.fixture
def fake(minimax_fake: RunningFake) -> Iterator[FakeMiniMax]:
    """The fake's state, without faults before and after each test."""
    minimax_fake.fake.clear()
    yield minimax_fake.fake
    minimax_fake.fake.clear()


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
