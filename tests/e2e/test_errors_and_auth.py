"""The Telnyx error envelope, authentication and organization isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import telnyx

from tests.e2e.server import RunningServer
from tests.e2e.test_voice_designs import create, unique


def raw(server: RunningServer, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {server.key}", **kw.pop("headers", {})}
    return httpx.request(method, f"{server.base_url}{path}", headers=headers, timeout=30, **kw)


def first_error(resp: httpx.Response) -> dict[str, Any]:
    body = resp.json()
    assert set(body) == {"errors"}, body
    return body["errors"][0]


def test_missing_and_bad_keys_are_401(fast_server: RunningServer) -> None:
    resp = httpx.get(f"{fast_server.base_url}/voice_designs")
    assert resp.status_code == 401 and first_error(resp)["detail"].startswith("Missing API key")
    with pytest.raises(telnyx.AuthenticationError):
        fast_server.client(key="vsk_not-a-real-key").voice_designs.list()


def test_revoked_key_is_refused(fast_server: RunningServer) -> None:
    key = fast_server.cli("keys", "create", "short-lived").strip()
    assert fast_server.client(key=key).voice_designs.list().data is not None
    fast_server.cli("keys", "revoke", "short-lived")
    with pytest.raises(telnyx.AuthenticationError):
        fast_server.client(key=key).voice_designs.list()


def test_organizations_are_isolated(fast_server: RunningServer) -> None:
    mine = fast_server.client()
    other_key = fast_server.cli("keys", "create", "acme-key", "--org", "acme").strip()
    theirs = fast_server.client(key=other_key)
    name = unique("private")
    d = create(mine, name)
    with pytest.raises(telnyx.NotFoundError):
        theirs.voice_designs.retrieve(d.id)
    with pytest.raises(telnyx.NotFoundError):
        theirs.voice_designs.retrieve(name)
    with pytest.raises(telnyx.NotFoundError):
        theirs.voice_designs.download_sample(d.id)
    with pytest.raises(telnyx.NotFoundError):
        theirs.voice_designs.delete(d.id)
    assert [x.name for x in theirs.voice_designs.list(filter_name=name)] == []
    with pytest.raises(telnyx.NotFoundError):
        theirs.voice_clones.create(voice_clone_request={
            "name": "steal", "voice_design_id": d.id, "language": "en", "gender": "male"})
    # Names are unique per organization, not globally.
    assert create(theirs, name).name == name
    assert mine.voice_designs.retrieve(name).data.id == d.id


@pytest.mark.parametrize(("field", "value"), [
    ("temperature", 2.5), ("temperature", -0.1), ("top_k", 0), ("top_k", 1001),
    ("top_p", 1.5), ("repetition_penalty", 0.9), ("repetition_penalty", 2.1),
    ("max_new_tokens", 99), ("max_new_tokens", 5000), ("name", ""), ("text", 12),
])
def test_field_constraints_are_422_with_pointer(fast_server: RunningServer, field: str,
                                                value: object) -> None:
    body = {"name": unique("bad"), "prompt": "A calm voice", "text": "Hi.", field: value}
    resp = raw(fast_server, "POST", "/voice_designs", json=body)
    assert resp.status_code == 422
    err = first_error(resp)
    assert err["code"] == "10027" and err["source"]["pointer"] == f"/{field}"
    assert resp.headers["x-should-retry"] == "false"


@pytest.mark.parametrize(("body", "pointer", "needle"), [
    ({"prompt": "A calm voice"}, "/text", "Field required"),
    ({"text": "Hi."}, "/prompt", "Field required"),
    ({"prompt": "A calm voice", "text": "Hi."}, "/name", "name is required"),
    ({"name": "0b9b4a8e-1c7e-4a53-9d8c-5a3f1e2b7c6d", "prompt": "p", "text": "Hi."}, "/name", "UUID"),
    ({"name": "ko", "prompt": "p", "text": "Hi.", "language": "Korean"}, "/language", "Korean"),
    ({"name": "xx", "prompt": "p", "text": "Hi.", "language": "Klingon"}, "/language", "Unknown language"),
    ({"name": "mm", "prompt": "p", "text": "Hi.", "provider": "minimax"}, "/provider", "minimax"),
    ({"name": "ws", "prompt": "p", "text": "   "}, "/text", "empty"),
])
def test_request_rules_are_422(fast_server: RunningServer, body: dict[str, Any], pointer: str,
                               needle: str) -> None:
    resp = raw(fast_server, "POST", "/voice_designs", json=body)
    assert resp.status_code == 422, resp.text
    err = first_error(resp)
    assert err["source"]["pointer"] == pointer and needle in err["detail"]


def test_malformed_json_is_422(fast_server: RunningServer) -> None:
    resp = raw(fast_server, "POST", "/voice_designs", content=b'{"name": "x", "prompt": ',
               headers={"Content-Type": "application/json"})
    assert resp.status_code == 422 and first_error(resp)["title"] == "Malformed JSON"


def test_unknown_design_for_new_version_is_404(fast_server: RunningServer) -> None:
    resp = raw(fast_server, "POST", "/voice_designs", json={
        "voice_design_id": "0b9b4a8e-1c7e-4a53-9d8c-5a3f1e2b7c6d", "prompt": "p", "text": "Hi."})
    assert resp.status_code == 404 and first_error(resp)["source"]["pointer"] == "/voice_design_id"


def test_text_longer_than_max_new_tokens_is_refused_not_cut(fast_server: RunningServer) -> None:
    text = " ".join(["This sentence is here to make the sample far too long."] * 20)
    resp = raw(fast_server, "POST", "/voice_designs", json={
        "name": unique("long"), "prompt": "A calm voice", "text": text, "max_new_tokens": 100})
    assert resp.status_code == 422
    assert first_error(resp)["source"]["pointer"] == "/max_new_tokens"
    assert raw(fast_server, "GET", "/voice_designs?filter[name]=long-").json()["meta"][
        "total_results"] == 0


def test_405_404_and_bad_query_use_the_envelope(fast_server: RunningServer) -> None:
    put = raw(fast_server, "PUT", "/voice_designs")
    assert put.status_code == 405 and first_error(put)["title"] == "Method not allowed"
    nowhere = raw(fast_server, "GET", "/no_such_thing")
    assert nowhere.status_code == 404 and first_error(nowhere)["code"] == "10005"
    page = raw(fast_server, "GET", "/voice_designs?page[size]=251")
    assert page.status_code == 422 and first_error(page)["source"]["parameter"] == "page[size]"
    version = raw(fast_server, "GET", "/voice_designs/anything?version=zero")
    assert version.status_code == 422
