"""Read-only keys (`voicesmith keys create --read-only`): read and speak, never change."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import telnyx

from tests.e2e.server import RunningServer
from tests.e2e.speech_helpers import ws_audio
from tests.e2e.test_errors_and_auth import first_error
from tests.e2e.test_voice_designs import create, unique


@pytest.fixture(scope="module")
def read_only_key(fast_server: RunningServer) -> str:
    return fast_server.cli("keys", "create", unique("phones"), "--read-only").strip()


@pytest.fixture(scope="module")
def made(fast_server: RunningServer) -> dict[str, str]:
    """A design (two versions) and a clone, made with the full-access key."""
    client = fast_server.client()
    design = create(client, unique("ro-design"))
    client.voice_designs.create(voice_design_id=design.id, prompt="Slower", text="Hello again.")
    clone = client.voice_clones.create(voice_clone_request={
        "name": unique("ro-clone"), "voice_design_id": design.id, "language": "en",
        "gender": "male"}).data
    return {"design": design.id, "design_name": design.name, "clone": clone.id,
            "clone_name": clone.name}


def request(server: RunningServer, key: str, method: str, path: str,
            **kw: Any) -> httpx.Response:
    return httpx.request(method, f"{server.base_url}{path}", timeout=60,
                         headers={"Authorization": f"Bearer {key}"}, **kw)


def test_a_read_only_key_reads_downloads_and_speaks(fast_server: RunningServer,
                                                    read_only_key: str,
                                                    made: dict[str, str]) -> None:
    reader = fast_server.client(key=read_only_key)
    assert made["design"] in [d.id for d in reader.voice_designs.list(
        filter_name=made["design_name"])]
    assert reader.voice_designs.retrieve(made["design"], version=1).data.version == 1
    assert reader.voice_designs.download_sample(made["design"]).read()[:4] == b"RIFF"
    assert [c.id for c in reader.voice_clones.list(filter_name=made["clone_name"])] == [
        made["clone"]]
    clone = request(fast_server, read_only_key, "GET", f"/voice_clones/{made['clone']}")
    assert clone.status_code == 200 and clone.json()["data"]["name"] == made["clone_name"]
    assert reader.voice_clones.download_sample(made["clone"]).read()[:4] == b"RIFF"
    voice = f"Telnyx.Kokoro.{made['clone']}"
    assert voice in [v.voice_id for v in reader.text_to_speech.list_voices().voices]

    # Speaking is allowed: binary, audio_id (and its download), OpenAI's route, the WebSocket.
    speech = request(fast_server, read_only_key, "POST", "/text-to-speech/speech",
                     json={"text": "Read only, still speaking.", "voice": voice})
    assert speech.status_code == 200 and len(speech.content) > 100
    job = request(fast_server, read_only_key, "POST", "/text-to-speech/speech",
                  json={"text": "Later.", "voice": voice, "output_type": "audio_id"})
    assert job.status_code == 200, job.text
    audio = request(fast_server, read_only_key, "GET",
                    f"/text-to-speech/speech/{job.json()['audio_id']}")
    assert audio.status_code == 200 and len(audio.content) > 100
    openai = httpx.post(fast_server.base_url.replace("/v2", "/v1") + "/audio/speech",
                        headers={"Authorization": f"Bearer {read_only_key}"}, timeout=60,
                        json={"model": "tts-1", "input": "Hello.", "voice": "alloy"})
    assert openai.status_code == 200 and len(openai.content) > 100
    with reader.text_to_speech.stream(extra_query={"voice": voice}) as conn:
        conn.send({"text": " "})
        conn.send({"text": "Over the socket."})
        conn.send({"text": ""})
        data, events = ws_audio(conn)
    assert data and events[-1].type == "final"


def _writes(made: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    design, clone = made["design"], made["clone"]
    return [
        ("POST", "/voice_designs", {"json": {"name": unique("nope"), "prompt": "A calm voice",
                                             "text": "Hi."}}),
        ("POST", "/voice_designs", {"json": {"voice_design_id": design, "prompt": "Deeper",
                                             "text": "Hi."}}),
        ("PATCH", f"/voice_designs/{design}", {"json": {"name": unique("renamed")}}),
        ("DELETE", f"/voice_designs/{design}/versions/1", {}),
        ("DELETE", f"/voice_designs/{design}", {}),
        ("POST", "/voice_clones", {"json": {"name": unique("nope"), "voice_design_id": design,
                                            "language": "en", "gender": "male"}}),
        ("PATCH", f"/voice_clones/{clone}", {"json": {"name": unique("renamed")}}),
        ("DELETE", f"/voice_clones/{clone}", {}),
        ("POST", "/voice_clones/from_upload", {
            "data": {"name": unique("nope"), "language": "en", "gender": "male"},
            "files": {"audio_file": ("clip.wav", b"RIFF....WAVE", "audio/wav")}}),
    ]


def test_every_change_is_403_and_changes_nothing(fast_server: RunningServer,
                                                 read_only_key: str,
                                                 made: dict[str, str]) -> None:
    client = fast_server.client()
    assert fast_server.key is not None

    def clone() -> dict[str, Any]:
        return request(fast_server, str(fast_server.key), "GET",
                       f"/voice_clones/{made['clone']}").json()

    before = (client.voice_designs.retrieve(made["design"]).data, clone())
    designs = client.voice_designs.list().meta
    clones = client.voice_clones.list().meta
    for method, path, kw in _writes(made):
        resp = request(fast_server, read_only_key, method, path, **kw)
        assert resp.status_code == 403, (method, path, resp.text)
        error = first_error(resp)
        assert error["code"] == "10010" and error["title"] == "Forbidden"
        assert "read-only" in error["detail"] and read_only_key not in error["detail"]
        assert resp.headers["x-should-retry"] == "false"
    after = (client.voice_designs.retrieve(made["design"]).data, clone())
    assert after == before
    assert before[0].version == 2  # the latest; version 1 is still there too
    assert client.voice_designs.retrieve(made["design"], version=1).data.version == 1
    assert client.voice_designs.list().meta == designs
    assert client.voice_clones.list().meta == clones


def test_the_sdk_sees_permission_denied(fast_server: RunningServer, read_only_key: str,
                                        made: dict[str, str]) -> None:
    reader = fast_server.client(key=read_only_key)
    with pytest.raises(telnyx.PermissionDeniedError) as denied:
        create(reader, unique("sdk-nope"))
    assert "read-only" in json.dumps(denied.value.body)
    with pytest.raises(telnyx.PermissionDeniedError):
        reader.voice_clones.delete(made["clone"])
    assert [c.id for c in fast_server.client().voice_clones.list(
        filter_name=made["clone_name"])] == [made["clone"]]


def test_a_bad_request_with_a_read_only_key_is_still_403_first(
        fast_server: RunningServer, read_only_key: str) -> None:
    """The scope is checked before the body: a read-only key learns nothing from validation."""
    resp = request(fast_server, read_only_key, "POST", "/voice_designs", json={"name": ""})
    assert resp.status_code == 403
