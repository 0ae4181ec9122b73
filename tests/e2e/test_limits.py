"""Request and WebSocket limits on a real server (uvicorn's framing, not a test client's)."""

from __future__ import annotations

import json
import socket

import pytest

from tests.e2e.server import RunningServer

MIB = 1024 * 1024


def _raw_http(server: RunningServer, head: str, body: bytes = b"") -> str:
    """Send ``head`` (and ``body``) on a socket; the whole response (headers and the
    body its Content-Length announces), however many packets it comes in."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n" + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < _response_size(data):
            piece = sock.recv(65536)
            if not piece:  # the server closed the connection: that is all there is
                break
            data += piece
        return data.decode(errors="replace")


def _response_size(data: bytes) -> int:
    """Header length plus the announced body length (0 when not announced)."""
    head, _, _ = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    return len(head) + 4 + length


def _head(server: RunningServer, extra: str) -> str:
    return (f"POST /v2/voice_designs HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"Authorization: Bearer {server.key}\r\nContent-Type: application/json\r\n{extra}")


def test_declared_length_over_the_limit_is_refused_before_the_body(
        fast_server: RunningServer) -> None:
    # Only the headers are sent: the answer cannot have waited for the body.
    resp = _raw_http(fast_server, _head(fast_server, f"Content-Length: {2 * MIB}\r\n"))
    assert resp.startswith("HTTP/1.1 413"), resp[:200]
    body = json.loads(resp.split("\r\n\r\n", 1)[1])
    assert body["errors"][0]["title"] == "Request body too large"


def test_chunked_body_is_refused_once_over_the_limit(fast_server: RunningServer) -> None:
    # Just over 1 MiB of chunks and no final chunk: the body never ends, the 413 comes anyway.
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(17))
    resp = _raw_http(fast_server, _head(fast_server, "Transfer-Encoding: chunked\r\n"), body)
    assert resp.startswith("HTTP/1.1 413"), resp[:200]


def _ws_url(server: RunningServer) -> str:
    return server.base_url.replace("http", "ws") + "/text-to-speech/speech?voice=af_heart"


def _closed_with(conn: object, code: int) -> str:
    """The error frame's text, after which the server closes with ``code``."""
    from websockets.exceptions import ConnectionClosed

    error = None
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            frame = json.loads(conn.recv(timeout=30))  # type: ignore[attr-defined]
            if frame["type"] == "error":
                error = frame["error"]
    assert closed.value.rcvd is not None and closed.value.rcvd.code == code, closed.value
    assert error is not None
    return error


def test_websocket_binary_frame_closes_1003(fast_server: RunningServer) -> None:
    import websockets.sync.client as ws

    with ws.connect(_ws_url(fast_server),
                    additional_headers={"Authorization": f"Bearer {fast_server.key}"}) as conn:
        conn.send(b"\x00\x01binary")
        assert "Binary frames" in _closed_with(conn, 1003)


def test_websocket_oversized_text_frame_closes_1009(fast_server: RunningServer) -> None:
    import websockets.sync.client as ws

    with ws.connect(_ws_url(fast_server),
                    additional_headers={"Authorization": f"Bearer {fast_server.key}"}) as conn:
        conn.send(json.dumps({"text": " "}))
        conn.send(json.dumps({"text": "a" * (64 * 1024 + 1)}))
        assert "65536 bytes" in _closed_with(conn, 1009)


def test_websocket_unspoken_text_is_capped(fast_server: RunningServer) -> None:
    import websockets.sync.client as ws

    with ws.connect(_ws_url(fast_server),
                    additional_headers={"Authorization": f"Bearer {fast_server.key}"}) as conn:
        conn.send(json.dumps({"text": " "}))
        # Each frame is under the frame limit; together they pass the 100,000-character
        # cap long before speech of the first (hours of it) could catch up.
        for _ in range(3):
            conn.send(json.dumps({"text": "word " * 12_000}))
        assert "waiting to be spoken" in _closed_with(conn, 1008)
