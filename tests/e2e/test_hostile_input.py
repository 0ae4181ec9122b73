"""Hostile text, JSON, headers and WebSocket frames against a real server.

Each gets what a user would expect, and never a 500: text is spoken as if
invisible characters (controls, bidi and zero-width marks, emoji) were not
there, or refused with a 422 that says why (markup, a 100,000-letter word,
half a character); JSON that Python's parser would read silently (duplicate
keys, NaN, 1e400, huge numbers, deep nesting) is a 422; an oversized head is a
431 and a malformed one a 400, in the error envelope; a bad WebSocket frame
gets an error frame and the session goes on. Hostile uploads:
``test_hostile_uploads.py``.
"""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

import httpx
import pytest

from tests.e2e.server import RunningServer
from tests.e2e.test_voice_designs import unique


def post(server: RunningServer, path: str, body: Any = None, *, content: bytes | None = None,
         base: str | None = None) -> httpx.Response:
    return httpx.post(f"{base or server.base_url}{path}", timeout=60, json=body, content=content,
                      headers={"Authorization": f"Bearer {server.key}",
                               "Content-Type": "application/json"})


def error_of(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    (error,) = resp.json()["errors"]
    assert resp.headers["x-should-retry"] == "false"
    return error  # type: ignore[no-any-return]


def speak(server: RunningServer, text: str) -> httpx.Response:
    return post(server, "/text-to-speech/speech", {"text": text, "voice": "af_heart",
                                                   "output_type": "base64_output",
                                                   "disable_cache": True})


def audio_of(resp: httpx.Response) -> bytes:
    assert resp.status_code == 200, resp.text
    return base64.b64decode(resp.json()["base64_audio"])


# What is not pronounced is not spoken: the audio is that of the plain text (the
# tiny model is deterministic). A NUL once ended the text for espeak-ng.
@pytest.mark.parametrize(("text", "plain"), [
    ("Hello\x00 wor\x07ld, all\x1b of you.", "Hello world, all of you."),
    ("Hel\u200blo \u202eworld\u202c, \u2066all\u2069 of\ufeff you.", "Hello world, all of you."),
    ("I love it 😀🎉 so much 👍🏽!", "I love it  so much !"),  # as if deleted
], ids=["control-characters", "bidi-and-zero-width", "emoji"])
def test_invisible_characters_are_not_spoken(fast_server: RunningServer, text: str,
                                             plain: str) -> None:
    assert audio_of(speak(fast_server, text)) == audio_of(speak(fast_server, plain))


@pytest.mark.parametrize(("text", "words"), [
    ("😀🎉👍", "nothing to speak"),
    ("<speak>Hello <break time='3s'/> world</speak>", "markup ('<speak>' at character 0)"),
    ("Hello <b>world</b>.", "SSML and HTML are not supported"),
    ("a" * 100_000, "a word of 100,000 characters"),
    ("y" * 100_001, "at most 100,000 are accepted"),
], ids=["only-emoji", "ssml", "html", "100000-letter-word", "over-100000"])
def test_text_that_cannot_be_spoken_is_a_clear_422(fast_server: RunningServer, text: str,
                                                   words: str) -> None:
    error = error_of(speak(fast_server, text), 422)
    assert error["source"] == {"pointer": "/text"} and words in error["detail"]
    openai = post(fast_server, "/audio/speech", {"model": "tts-1", "voice": "alloy",
                                                 "input": text})
    assert error_of(openai, 422)["source"] == {"pointer": "/input"}  # OpenAI's name


def test_angle_brackets_that_are_not_tags_are_spoken(fast_server: RunningServer) -> None:
    assert audio_of(speak(fast_server, "If x < y and y > z, then x < z."))


def test_design_text_and_prompt(fast_server: RunningServer) -> None:
    design = {"prompt": "A calm voice", "text": "Hello there."}
    for text, words in (("a" * 10_000, "a word of 10,000 characters"),
                        ("<speak>Hi</speak>", "markup")):
        name = unique("bad-text")
        error = error_of(post(fast_server, "/voice_designs", {**design, "name": name,
                                                                "text": text}), 422)
        assert error["source"] == {"pointer": "/text"} and words in error["detail"]
    # A prompt is read, never refused: what is not a word is ignored.
    made = post(fast_server, "/voice_designs", {**design, "name": unique("emoji"), "prompt": (
        "😀 A \x00deep\u202e <prosody rate='slow'>male</prosody> voice 🎉")})
    assert made.status_code == 201, made.text
    traits = made.json()["data"]["voice_traits"]
    assert traits["gender"] == "male" and traits["pitch"] < 0
    long_prompt = post(fast_server, "/voice_designs", {**design, "name": unique("long"),
                                                        "prompt": "a" * 5001})
    assert error_of(long_prompt, 422)["source"] == {"pointer": "/prompt"}


# JSON Python would read without a word: each a 422 saying what and where.
@pytest.mark.parametrize(("body", "pointer", "words"), [
    (b'{"name": "dup", "prompt": "p", "text": "Hi.", "text": "Bye."}', "/text", "twice"),
    (b'{"name": "deep", "prompt": "p", "text": "Hi.", "x": ' + b"[" * 10_000 + b"]" * 10_000
     + b"}", "", "nested too deeply"),
    (b'{"a": ' * 10_000 + b"1" + b"}" * 10_000, "", "nested too deeply"),
    (b'{"name": "t", "prompt": "p", "text": "Hi.", "temperature": 1e400}', "/temperature",
     "1e400 is out of range"),
    (b'{"name": "k", "prompt": "p", "text": "Hi.", "top_k": ' + b"9" * 5000 + b"}", "/top_k",
     "5,000 characters"),
    (b'{"name": "n", "prompt": "p", "text": "Hi.", "temperature": NaN}', "/temperature", "NaN"),
    (b'{"name": "s", "prompt": "p", "text": "Hi \\ud83d."}', "/text", "unpaired UTF-16"),
    (b'{"name": "\xff\xfe", "prompt": "p", "text": "Hi."}', "", "not valid UTF-8"),
], ids=["duplicate-keys", "deep-array", "deep-object", "1e400", "5000-digits", "nan",
        "lone-surrogate", "bad-utf8"])
def test_json_python_would_read_silently_is_a_422(fast_server: RunningServer, body: bytes,
                                                  pointer: str, words: str) -> None:
    for path in ("/voice_designs", "/text-to-speech/speech"):
        error = error_of(post(fast_server, path, content=body), 422)
        assert error["source"] == {"pointer": pointer} and words in error["detail"], path
    listed = httpx.get(f"{fast_server.base_url}/voice_designs", params={"filter[name]": "dup"},
                       headers={"Authorization": f"Bearer {fast_server.key}"}).json()
    assert listed["data"] == []  # the duplicate-key design was not made from either value


def raw_http(server: RunningServer, head: bytes) -> tuple[int, dict[str, Any], bytes]:
    """Send ``head`` on a socket: (status, JSON body, raw response)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head)
        data = b""
        while piece := sock.recv(65536):
            data += piece
    status = int(data.split(b" ", 2)[1])
    return status, json.loads(data.split(b"\r\n\r\n", 1)[1]), data


def get_head(server: RunningServer, *headers: bytes) -> bytes:
    return (b"GET /v2/voice_designs HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            + b"".join(h + b"\r\n" for h in headers) + b"\r\n")


@pytest.mark.parametrize("header", [
    b"X-Padding: " + b"x" * 100_000,
    b"Authorization: Bearer " + b"k" * 100_000,
    b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(1000)).rstrip(),
], ids=["100KB-header", "100KB-authorization", "1000-headers"])
def test_oversized_head_is_431(fast_server: RunningServer, header: bytes) -> None:
    status, body, raw = raw_http(fast_server, get_head(fast_server, header))
    assert status == 431 and body["errors"][0]["title"] == "Request header fields too large"
    assert b"x-should-retry: false" in raw


def test_endless_header_is_cut_off_unread(fast_server: RunningServer) -> None:
    # 20 MB of one header, sent as it is read: the 431 comes and the connection
    # closes long before the end, so the server never holds it.
    with socket.create_connection(("127.0.0.1", fast_server.port), timeout=30) as sock:
        sock.sendall(b"GET /v2/voice_designs HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Endless: ")
        with pytest.raises(OSError):  # reset by the server, or a broken pipe
            for _ in range(20):
                sock.sendall(b"x" * 1_000_000)
        response = sock.recv(65536)
    assert response.startswith(b"HTTP/1.1 431 ")


@pytest.mark.parametrize("authorization", [
    b"Bearer", b"Bearer ", b"Basic eHl6OnBhc3M=", b"Bearer cl\xc3\xa9-\xc3\xbc", b"Bearer \xff\xfe",
    b"Bearer two tokens", b"vsk_notabearer", b"",
], ids=["bearer-alone", "bearer-space", "basic", "utf8", "latin1", "two-tokens", "no-scheme",
        "empty"])
def test_malformed_authorization_is_401(fast_server: RunningServer, authorization: bytes) -> None:
    status, body, raw = raw_http(fast_server, get_head(fast_server,
                                                       b"Authorization: " + authorization))
    assert status == 401 and body["errors"][0]["code"] == "10009"
    assert b"www-authenticate: Bearer" in raw.lower().replace(b"bearer", b"Bearer")


@pytest.mark.parametrize("head", [
    b"GARBAGE\r\n\r\n",
    b"GET /v2/voice_designs HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \x01\x02\r\n\r\n",
    b"POST /v2/voice_designs HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
    b"POST /v2/voice_designs HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
], ids=["request-line", "control-character", "negative-length", "bad-length"])
def test_unparsable_request_is_a_400_envelope(fast_server: RunningServer, head: bytes) -> None:
    status, body, _ = raw_http(fast_server, head)
    assert status == 400 and body["errors"][0]["title"] == "Bad request"
    assert httpx.get(f"http://127.0.0.1:{fast_server.port}/healthz").status_code == 200
