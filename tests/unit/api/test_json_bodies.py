"""Strict JSON: what Python's json accepts silently is refused with where and why."""

from __future__ import annotations

import json

import pytest

from voicesmith.strict_json import MAX_DEPTH, MalformedJson, parse_json
from voicesmith.voices.live_frames import BadFrame, read_frame


@pytest.mark.parametrize(("body", "pointer", "words"), [
    (b'{"text": "Hi.", "text": "Bye."}', "/text", "appears twice"),
    (b'{"telnyx": {"volume": 1, "volume": 2}}', "/telnyx/volume", "appears twice"),
    (b"[" * 5000 + b"]" * 5000, "", "nested too deeply"),
    (b'{"a": ' + b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1) + b"}", "/a" + "/0" * MAX_DEPTH,
     "nested too deeply"),
    (b'{"top_k": ' + b"9" * 5000 + b"}", "/top_k", "5,000 characters"),
    (b'{"speed": 1e400}', "/speed", "out of range"),
    (b'{"speed": -1e400}', "/speed", "out of range"),
    (b'{"temperature": NaN}', "/temperature", "NaN is not a JSON number"),
    (b'{"x": [1, Infinity]}', "/x/1", "Infinity is not a JSON number"),
    (b'{"text": "a\\ud800b"}', "/text", "unpaired UTF-16 surrogate (\\ud800) at character 1"),
    (b'{"a/b~c": {"\\udfff": 1}}', "/a~1b~0c/\\udfff", "unpaired UTF-16 surrogate"),
    (b'{"name": "\xff\xfe"}', "", "not valid UTF-8 (byte 0xff at offset 10)"),
])
def test_what_json_leaves_undefined_is_refused(body: bytes, pointer: str, words: str) -> None:
    with pytest.raises(MalformedJson) as caught:
        parse_json(body)
    assert caught.value.pointer == pointer and words in caught.value.detail


def test_ordinary_json_reads_as_json() -> None:
    body = {"text": "Hé 😀", "n": [1, -2.5e10, 10**30], "deep": [[[[1]]]], "t": True, "z": None}
    assert parse_json(json.dumps(body).encode()) == body
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}  # a BOM, as FastAPI accepts
    with pytest.raises(json.JSONDecodeError):  # syntax errors are json's own
        parse_json(b'{"a": ')


@pytest.mark.parametrize(("frame", "words"), [
    ("not json", "this one is not JSON"),
    ("[1, 2]", "not an array"),
    ('"text"', "not a string 'text'"),
    ("null", "not null"),
    ('{"text": 5}', "text must be a string, got a number 5"),
    ('{"text": "Hi", "flush": "yes"}', "flush must be true or false, got a string 'yes'"),
    ('{"text": "", "force": 1}', "force must be true or false, got a number 1"),
    ('{"text": " ", "voice_settings": "fast"}', "voice_settings must be an object"),
    ('{"text": " ", "voice_settings": {"voice_speed": "fast"}}',
     "voice_settings.voice_speed must be a number, got a string 'fast'"),
    ('{"text": " ", "voice_settings": {"volume": true}}', "voice_settings.volume must be a number"),
    ('{"text": "Hi. ", "text": "Bye. "}', "appears twice"),
    ('{"text": "a", "x": ' + "[" * 3000 + "]" * 3000 + "}", "nested too deeply"),
])
def test_bad_websocket_frames_say_what_is_wrong(frame: str, words: str) -> None:
    with pytest.raises(BadFrame) as caught:
        read_frame(frame)
    assert words in caught.value.detail


def test_good_websocket_frames_pass() -> None:
    assert read_frame('{"text": " ", "voice_settings": {"voice_speed": 1.2, "volume": 1}}') == {
        "text": " ", "voice_settings": {"voice_speed": 1.2, "volume": 1}}
    assert read_frame('{"text": "Hi", "flush": true, "extra": {"ignored": [1]}}')["flush"] is True
