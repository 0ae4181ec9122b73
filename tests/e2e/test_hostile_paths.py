"""No name or id from a request reaches the filesystem.

Audio is stored under keys the server derives (sha256 digests; audio_id is a
UUID it made), never under a client's string. Here every path parameter of
every operation in the served OpenAPI document, and every field that names a
resource, gets path-like and otherwise hostile values: each answer is a clear
4xx in the envelope, and nothing outside the data dir is read, made or changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.e2e.server import RunningServer
from tests.e2e.test_errors_and_auth import first_error, raw
from tests.e2e.test_voice_designs import create, unique

HOSTILE = [
    "../../etc/passwd", "..", ".", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/etc/passwd",
    "..\\..\\windows\\win.ini", "\x00", "passwd\x00.wav", "x" * 4000, "~root", "*",
    "../" * 40 + "etc/passwd",
]
FORBIDDEN_NAME_PARTS = ("passwd", "win.ini", "..", "\x00", "%", "~root")


def in_path(value: str) -> str:
    """Percent-encoded whole, dots included: no client or proxy may resolve it first."""
    return quote(value, safe="").replace(".", "%2E")


@pytest.fixture
def outside(fast_server: RunningServer) -> Iterator[Path]:
    """The data dir's parent, with a file where ``../etc/passwd`` from the data dir lands;
    yields it, then checks nothing in it changed (the data dir itself aside)."""
    parent = fast_server.data_dir.parent
    target = parent / "etc" / "passwd"
    target.parent.mkdir(exist_ok=True)
    target.write_text("root:x:0:0")
    before = _snapshot(parent, skip=fast_server.data_dir)
    data_before = set(_files(fast_server.data_dir))
    yield parent
    assert _snapshot(parent, skip=fast_server.data_dir) == before
    assert target.read_text() == "root:x:0:0"
    for path in set(_files(fast_server.data_dir)) - data_before:
        assert not any(part in path.name for part in FORBIDDEN_NAME_PARTS), path


def _files(root: Path) -> Iterator[Path]:
    return (p for p in root.rglob("*") if p.is_file())


def _snapshot(parent: Path, *, skip: Path) -> dict[str, tuple[int, float]]:
    """Each entry of ``parent`` (top level, and ``etc``'s files): size and mtime."""
    entries = {p.name: (p.stat().st_size, p.stat().st_mtime) for p in parent.iterdir()
               if p != skip and not p.is_dir()}
    entries.update({f"etc/{p.name}": (p.stat().st_size, p.stat().st_mtime)
                    for p in (parent / "etc").iterdir()})
    entries["dirs"] = (len([p for p in parent.iterdir() if p.is_dir()]), 0.0)
    return entries


def _operations(server: RunningServer) -> list[tuple[str, str, list[str]]]:
    """(method, path template under /v2, its path parameters) from the served document."""
    doc = httpx.get(server.base_url.removesuffix("/v2") + "/openapi.json", timeout=30).json()
    ops = []
    for template, item in doc["paths"].items():
        params = re.findall(r"{(\w+)}", template)
        if not params or not template.startswith("/v2/"):
            continue
        for method in item:
            ops.append((method.upper(), template.removeprefix("/v2"), params))
    return ops


def _body(method: str) -> dict[str, Any]:
    return {"json": {"name": unique("renamed")}} if method == "PATCH" else {}


def test_every_path_parameter_refuses_hostile_values(fast_server: RunningServer,
                                                     outside: Path) -> None:
    client = fast_server.client()
    design = create(client, unique("target"))
    ops = _operations(fast_server)
    # Every path parameter is covered, so a new route is too.
    assert {p for _, _, params in ops for p in params} == {"id", "version", "audio_id"}
    for method, template, params in ops:
        for hostile_param in params:
            for value in HOSTILE:
                # The other parameters get real values: only the hostile one can be at fault.
                path = template
                for p in params:
                    real = "1" if p == "version" else design.id
                    path = path.replace(f"{{{p}}}", in_path(value) if p == hostile_param else real)
                resp = raw(fast_server, method, path, **_body(method))
                assert resp.status_code in (400, 404, 422), (method, path, resp.text)
                assert first_error(resp)["code"] in ("10005", "10015", "10027")
    # The target is intact: every hostile value missed it.
    assert client.voice_designs.retrieve(design.id).data.name == design.name


def test_fields_that_name_a_resource_refuse_hostile_values(fast_server: RunningServer,
                                                           outside: Path) -> None:
    v1 = fast_server.base_url.replace("/v2", "/v1")
    for value in HOSTILE:
        for method, url, body in [
            ("POST", "/voice_designs", {"voice_design_id": value, "prompt": "p", "text": "Hi."}),
            ("POST", "/voice_clones", {"name": unique("c"), "voice_design_id": value,
                                       "language": "en", "gender": "male"}),
            ("POST", "/text-to-speech/speech", {"text": "Hi.", "voice": value}),
            ("POST", f"{v1}/audio/speech", {"model": "tts-1", "input": "Hi.", "voice": value}),
        ]:
            if url.startswith("/"):
                resp = raw(fast_server, method, url, json=body)
            else:
                resp = httpx.post(url, json=body, timeout=30,
                                  headers={"Authorization": f"Bearer {fast_server.key}"})
            assert resp.status_code in (404, 422), (url, value, resp.text)
            assert first_error(resp)["source"]["pointer"] in (
                "/voice_design_id", "/voice", "/voice/id")


def test_the_websocket_voice_refuses_hostile_values(fast_server: RunningServer,
                                                    outside: Path) -> None:
    import json

    import websockets.sync.client as ws

    url = fast_server.base_url.replace("http", "ws") + "/text-to-speech/speech?voice="
    auth = {"Authorization": f"Bearer {fast_server.key}"}
    for value in HOSTILE:
        with ws.connect(url + quote(value, safe=""), additional_headers=auth) as conn:
            frame = json.loads(conn.recv(timeout=30))
            assert frame["type"] == "error" and "not found" in frame["error"], frame


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "..\\..\\win.ini",
                                  "%2e%2e%2fpasswd", "~root/.ssh"])
def test_path_like_names_are_only_names(fast_server: RunningServer, outside: Path,
                                        name: str) -> None:
    """A name is a label in the database: stored as given, found by id, never a file."""
    client = fast_server.client()
    design = create(client, name + unique("-"))
    assert client.voice_designs.retrieve(design.id).data.name == design.name
    clone = raw(fast_server, "POST", "/voice_clones", json={
        "name": name + unique("-"), "voice_design_id": design.id, "language": "en",
        "gender": "male"})
    assert clone.status_code == 201, clone.text
    renamed = raw(fast_server, "PATCH", f"/voice_designs/{design.id}",
                  json={"name": "../" + unique("again")})
    assert renamed.status_code == 200
    assert raw(fast_server, "DELETE", f"/voice_clones/{clone.json()['data']['id']}"
               ).status_code == 204


@pytest.mark.parametrize("name", ["x" * 256, "a\x00b"])
def test_unstorable_names_are_422(fast_server: RunningServer, outside: Path, name: str) -> None:
    resp = raw(fast_server, "POST", "/voice_designs",
               json={"name": name, "prompt": "A calm voice", "text": "Hi."})
    assert resp.status_code == 422, resp.text
    assert first_error(resp)["source"]["pointer"] == "/name"
