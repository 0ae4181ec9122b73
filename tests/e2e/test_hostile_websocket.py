"""Hostile and out-of-order WebSocket frames (binary and oversized: test_limits.py).

A bad frame gets an ``error`` frame that says what is wrong, is ignored, and
the session goes on: the next good text is spoken. Out of order, as the
protocol documents: text in the first frame is spoken; ``voice_settings``
after the first frame get an error (the frame's text is still spoken); a
frame after the end is not spoken and the session closes normally.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.server import RunningServer


def session(server: RunningServer, frames: list[str]) -> tuple[list[dict[str, Any]], int | None]:
    """Send ``frames``; every frame the server sends until it closes, and its close code."""
    import websockets.sync.client as ws
    from websockets.exceptions import ConnectionClosed

    url = server.base_url.replace("http", "ws") + "/text-to-speech/speech?voice=af_heart"
    received: list[dict[str, Any]] = []
    with ws.connect(url, additional_headers={"Authorization": f"Bearer {server.key}"}) as conn:
        for frame in frames:
            conn.send(frame)
        try:
            while True:
                received.append(json.loads(conn.recv(timeout=30)))
        except ConnectionClosed as closed:
            return received, closed.rcvd.code if closed.rcvd else None
    raise AssertionError("unreachable")


def spoken(frames: list[dict[str, Any]]) -> list[str]:
    return [f["text"].strip() for f in frames if f["type"] == "audio_chunk" and f["text"]]


def errors(frames: list[dict[str, Any]]) -> list[str]:
    return [f["error"] for f in frames if f["type"] == "error"]


INIT = json.dumps({"text": " "})
END = json.dumps({"text": ""})


@pytest.mark.parametrize(("frame", "words"), [
    ("not json", "this one is not JSON"),
    ('"Hello. "', "not a string"),
    ("[1, 2]", "not an array"),
    ("null", "not null"),
    ('{"text": 5}', "text must be a string, got a number 5"),
    ('{"text": "Hi", "flush": "yes"}', "flush must be true or false"),
    ('{"text": "Hi. ", "text": "Bye. "}', "appears twice"),
    ('{"text": "Hi. ", "x": ' + "[" * 5000 + "]" * 5000 + "}", "nested too deeply"),
    ('{"text": "Hi \\ud800. "}', "unpaired UTF-16 surrogate"),
    ('{"text": "<speak>Hi</speak>. "}', "markup"),
], ids=["not-json", "a-string", "an-array", "null", "text-a-number", "flush-a-string",
        "duplicate-keys", "deep-nesting", "lone-surrogate", "ssml"])
def test_a_bad_frame_gets_an_error_and_the_session_goes_on(fast_server: RunningServer,
                                                           frame: str, words: str) -> None:
    frames, code = session(fast_server, [INIT, frame, json.dumps({"text": "Still here. "}), END])
    assert any(words in e for e in errors(frames)), errors(frames)
    assert spoken(frames) == ["Still here."]
    assert frames[-1]["type"] == "final" and code == 1000


def test_bad_voice_settings_in_the_first_frame(fast_server: RunningServer) -> None:
    for settings, words in (('"fast"', "voice_settings must be an object"),
                            ('{"voice_speed": "fast"}', "voice_speed must be a number"),
                            ('{"voice_speed": NaN}', "NaN is not a JSON number"),
                            ('{"volume": 1e400}', "out of range")):
        first = '{"text": " ", "voice_settings": ' + settings + "}"
        frames, code = session(fast_server, [first,
                                             json.dumps({"text": "Then this. "}), END])
        assert any(words in e for e in errors(frames)), errors(frames)
        assert spoken(frames) == ["Then this."] and code == 1000


def test_text_in_the_first_frame_is_spoken(fast_server: RunningServer) -> None:
    frames, code = session(fast_server, [json.dumps({"text": "No handshake first. "}), END])
    assert spoken(frames) == ["No handshake first."] and errors(frames) == [] and code == 1000


def test_voice_settings_after_the_first_frame_are_refused(fast_server: RunningServer) -> None:
    frames, code = session(fast_server, [
        INIT, json.dumps({"text": "Late settings. ", "voice_settings": {"voice_speed": 2}}), END])
    assert any("fixed by the session's first frame" in e for e in errors(frames))
    assert spoken(frames) == ["Late settings."] and code == 1000


def test_a_frame_after_the_end_is_not_spoken(fast_server: RunningServer) -> None:
    frames, code = session(fast_server, [INIT, json.dumps({"text": "The last words. "}), END,
                                         json.dumps({"text": "Too late. "})])
    assert spoken(frames) == ["The last words."]
    # Read while the rest was spoken it gets an error; after the close, nothing can answer.
    assert all("The stream has ended" in e for e in errors(frames))
    assert frames[-1]["type"] == "final" and code == 1000


def test_abbreviations_split_across_frames_stay_in_their_sentence(
        fast_server: RunningServer) -> None:
    # An LLM's tokens: "Dr." once went out alone, spoken as a sentence of its own.
    tokens = ["Dr", ".", " Smith", " met", " Mrs", ".", " Jones", " at", " 3", ".", "5", ". ",
              "Then", " e", ".g", ". ", "tea", ". ", "Bye", ". "]
    frames, _ = session(fast_server, [INIT, *(json.dumps({"text": t}) for t in tokens), END])
    pieces = spoken(frames)
    assert " ".join(pieces) == "Dr. Smith met Mrs. Jones at 3.5. Then e.g. tea. Bye."
    assert not [p for p in pieces if p.endswith(("Dr.", "Mrs.", "3.", "e.g."))], pieces


def test_a_sentence_end_that_only_the_next_word_could_undo_is_spoken_anyway(
        fast_server: RunningServer) -> None:
    """"Hello there. " waits for the next word ("world" would continue it), not forever."""
    import websockets.sync.client as ws

    url = fast_server.base_url.replace("http", "ws") + "/text-to-speech/speech?voice=af_heart"
    with ws.connect(url, additional_headers={"Authorization": f"Bearer {fast_server.key}"}) as conn:
        conn.send(INIT)
        conn.send(json.dumps({"text": "Hello there. "}))
        first = json.loads(conn.recv(timeout=30))  # no more text, no flush: it comes anyway
        assert first["type"] == "audio_chunk" and first["text"].strip() == "Hello there."
