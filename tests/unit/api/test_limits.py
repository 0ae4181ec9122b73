"""Body limits and CORS, on the app itself (no lifespan: neither needs the services)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from voicesmith.api.app import create_app
from voicesmith.config import Settings


def client(tmp_path: Path, **settings: object) -> TestClient:
    # Routes past the limit need services the lifespan would build: a 500 here, not a 413.
    return TestClient(create_app(Settings(data_dir=tmp_path, **settings)),  # type: ignore[arg-type]
                      raise_server_exceptions=False)


def assert_413(resp: object, pointer: str) -> None:
    assert resp.status_code == 413, resp.text  # type: ignore[attr-defined]
    (error,) = resp.json()["errors"]  # type: ignore[attr-defined]
    assert error["title"] == "Request body too large" and error["source"] == {"pointer": pointer}
    assert resp.headers["x-should-retry"] == "false"  # type: ignore[attr-defined]


def test_json_body_over_the_limit_is_413_from_content_length(tmp_path: Path) -> None:
    resp = client(tmp_path, max_json_body_bytes=4096).post(
        "/v2/voice_designs", content=b"x" * 5000, headers={"content-type": "application/json"})
    assert_413(resp, "")
    assert "4096 bytes" in resp.json()["errors"][0]["detail"]


def test_chunked_body_is_counted_while_it_streams(tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    resp = client(tmp_path, max_json_body_bytes=4096).post(
        "/v2/text-to-speech/speech", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in resp.request.headers
    assert_413(resp, "")


def test_default_json_limit_is_one_mib(tmp_path: Path) -> None:
    resp = client(tmp_path).patch("/v2/voice_clones/x", content=b"x" * (1024 * 1024 + 1),
                                  headers={"content-type": "application/json"})
    assert_413(resp, "")


def test_upload_has_its_own_limit(tmp_path: Path) -> None:
    app = client(tmp_path, max_json_body_bytes=4096, max_upload_body_bytes=8192)
    resp = app.post("/v2/voice_clones/from_upload", content=b"x" * 9000,
                    headers={"content-type": "multipart/form-data; boundary=b"})
    assert_413(resp, "/audio_file")
    assert "multipart upload" in resp.json()["errors"][0]["detail"]
    # The JSON limit does not apply to the upload, nor the upload's to JSON routes.
    assert Settings(data_dir=tmp_path).max_upload_body_bytes > 20 * 1024 * 1024
    ok = app.post("/v2/voice_designs", content=b"{}", headers={"content-type": "application/json"})
    assert ok.status_code != 413


def test_cors_is_closed_by_default(tmp_path: Path) -> None:
    app = client(tmp_path)
    pre = app.options("/v2/voice_designs", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in pre.headers
    got = app.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in got.headers


def test_cors_allow_list_from_the_environment(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICESMITH_CORS_ORIGINS", "https://a.example, https://b.example")
    settings = Settings(data_dir=tmp_path)
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    app = TestClient(create_app(settings))
    pre = app.options("/v2/voice_designs", headers={
        "Origin": "https://b.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://b.example"
    got = app.get("/healthz", headers={"Origin": "https://a.example"})
    assert got.headers["access-control-allow-origin"] == "https://a.example"
    other = app.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
