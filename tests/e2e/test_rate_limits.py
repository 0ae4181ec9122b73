"""Per-key rate limits on a real server: 429 in the envelope with Retry-After.

The server here refills one request every 50 s with bursts of 3, so a test's
few quick requests meet an empty bucket however slow the machine (no timing
is asserted; the bucket's arithmetic has its unit tests).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import telnyx

from tests.e2e.server import RunningServer, server_env
from tests.e2e.test_errors_and_auth import first_error
from tests.e2e.test_voice_designs import unique

BURST = 3
PER_SECOND = 0.02  # one request every 50 s


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory, tiny_model: Path
                   ) -> Iterator[RunningServer]:
    server = RunningServer(tmp_path_factory.mktemp("limited-data"), server_env(
        VOICESMITH_MODEL_PATH=str(tiny_model), VOICESMITH_RATE_LIMIT_PER_SECOND=str(PER_SECOND),
        VOICESMITH_RATE_LIMIT_BURST=str(BURST))).start()
    yield server
    server.stop()


def new_key(server: RunningServer) -> str:
    return server.cli("keys", "create", unique("limited")).strip()


def get(server: RunningServer, key: str, path: str = "/voice_designs") -> httpx.Response:
    return httpx.get(f"{server.base_url}{path}", headers={"Authorization": f"Bearer {key}"},
                     timeout=30)


def test_over_the_limit_is_429_with_retry_after(limited_server: RunningServer) -> None:
    key = new_key(limited_server)
    assert [get(limited_server, key).status_code for _ in range(BURST)] == [200] * BURST
    resp = get(limited_server, key)
    assert resp.status_code == 429, resp.text
    error = first_error(resp)
    assert error["code"] == "10011" and error["title"] == "Too many requests"
    assert "this API key" in error["detail"] and "bursts of up to 3" in error["detail"]
    retry_after = resp.headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 1 / PER_SECOND
    assert f"Retry in {retry_after} s" in error["detail"]
    # Retrying is the right thing to do, so the SDKs are not told otherwise.
    assert "x-should-retry" not in resp.headers
    # Every route counts, and a refused request does not refill anything.
    for path in ("/voice_clones", "/text-to-speech/voices"):
        assert get(limited_server, key, path).status_code == 429


def test_the_sdk_raises_rate_limit_error(limited_server: RunningServer) -> None:
    client = limited_server.client(key=new_key(limited_server), max_retries=0)
    for _ in range(BURST):
        client.voice_designs.list()
    with pytest.raises(telnyx.RateLimitError) as limited:
        client.voice_designs.list()
    assert int(limited.value.response.headers["Retry-After"]) >= 1


def test_each_key_has_its_own_limit(limited_server: RunningServer) -> None:
    spent, fresh = new_key(limited_server), new_key(limited_server)
    for _ in range(BURST):
        get(limited_server, spent)
    assert get(limited_server, spent).status_code == 429
    assert get(limited_server, fresh).status_code == 200
    # Requests without a valid key are refused as such, not counted against anyone.
    assert get(limited_server, "vsk_not-a-key").status_code == 401


def test_websocket_connections_count(limited_server: RunningServer) -> None:
    import websockets.sync.client as ws
    from websockets.exceptions import ConnectionClosed

    key = new_key(limited_server)
    url = limited_server.base_url.replace("http", "ws") + "/text-to-speech/speech?voice=af_heart"
    auth = {"Authorization": f"Bearer {key}"}
    assert get(limited_server, key).status_code == 200
    for _ in range(BURST - 1):
        with ws.connect(url, additional_headers=auth) as conn:
            conn.send(json.dumps({"text": ""}))  # nothing to say: the server ends the session
            frames = [json.loads(conn.recv(timeout=30))]
            assert frames[-1]["type"] == "final"
    with ws.connect(url, additional_headers=auth) as conn:
        frame = json.loads(conn.recv(timeout=30))
        assert frame["type"] == "error" and "Too many requests" in frame["error"]
        with pytest.raises(ConnectionClosed) as closed:
            conn.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013  # try again later
    assert get(limited_server, key).status_code == 429
