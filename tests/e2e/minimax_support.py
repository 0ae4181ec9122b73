"""Shared by the MiniMax end-to-end tests: the server's settings and small request helpers."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import telnyx

from tests.e2e.server import RunningServer, server_env
from tests.unit.cloning.conftest import SPEECH

KEY = "fake-minimax-key"
TEXT = "Hello from MiniMax."


def minimax_env(tiny_model: Path, base_url: str, **extra: str) -> dict[str, str]:
    return server_env(VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_MINIMAX_API_KEY=KEY,
                      VOICESMITH_MINIMAX_BASE_URL=base_url, VOICESMITH_MINIMAX_GROUP_ID="g-test",
                      # short, so the "slow" fault (3 s) is a timeout and retries are quick
                      VOICESMITH_MINIMAX_TIMEOUT_SECONDS="1", VOICESMITH_MINIMAX_MAX_RETRIES="1",
                      VOICESMITH_MINIMAX_BACKOFF_SECONDS="0.05", **extra)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def blobs(server: RunningServer) -> int:
    return sum(1 for p in (server.data_dir / "blobs").rglob("*") if p.is_file())


def design(client: telnyx.Telnyx, **kw: object):  # type: ignore[no-untyped-def]
    return client.voice_designs.create(name=unique("mm"), prompt="A warm, low narrator",
                                       text="Hello there.", provider="minimax", **kw).data  # type: ignore[arg-type]


def raw_post(server: RunningServer, path: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{server.base_url}{path}", json=body, timeout=60,
                      headers={"Authorization": f"Bearer {server.key}"})


def assert_envelope(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["code"] and error["title"]
    for word in words:
        assert word in error["detail"], error["detail"]


def speak_raw(server: RunningServer, voice: str, **extra: object) -> httpx.Response:
    return raw_post(server, "/text-to-speech/speech", {"text": TEXT, "voice": voice, **extra})


def upload(server: RunningServer, name: str, **fields: object) -> httpx.Response:
    data = {"name": name, "language": "en", "gender": "male", "provider": "minimax",
            **{k: str(v) for k, v in fields.items()}}
    return httpx.post(f"{server.base_url}/voice_clones/from_upload", data=data, timeout=60,
                      files={"audio_file": ("me.flac", SPEECH.read_bytes(), "audio/flac")},
                      headers={"Authorization": f"Bearer {server.key}"})


def design_body(**extra: object) -> dict[str, object]:
    return {"name": unique("mm-fail"), "prompt": "A calm voice", "text": "Hello.",
            "provider": "minimax", **extra}


def assert_no_design(server: RunningServer, name: object) -> None:
    found = server.client().voice_designs.list(extra_query={"filter[name]": str(name)}).data
    assert found == []


