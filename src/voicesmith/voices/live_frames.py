"""Live speech's wire words: the client's frames read strictly, the server's frames, close codes.

The session (``live_speech``) talks to its client only through a ``LiveChannel``:
text frames in, text frames out, a close. ``api/routers/speech_ws.py`` adapts
Starlette's WebSocket to it; the unit tests use an in-memory one.

A client frame is a JSON object, read by ``strict_json``'s rules (no duplicate
keys, NaN, 1e400, huge numbers, deep nesting or unpaired surrogates), whose
known fields have their types: ``text`` a string, ``flush`` and ``force`` true
or false, ``voice_settings`` an object whose ``voice_speed``/``speed`` and
``volume`` are numbers. Anything else is a ``BadFrame``: its message goes back
in an ``error`` frame, the frame is ignored and the session goes on.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from typing import Any, Protocol

from voicesmith.strict_json import MalformedJson, parse_json

# RFC 6455 close codes: the protocol's own words for why a session ended.
NORMAL_CLOSURE = 1000
UNSUPPORTED_DATA = 1003  # a binary frame
POLICY_VIOLATION = 1008  # too much unspoken text; a connection that may not speak
MESSAGE_TOO_BIG = 1009
TRY_AGAIN_LATER = 1013  # over the key's rate limit

EXAMPLE = '{"text": "Hello. "}'
_SETTINGS = ("voice_speed", "speed", "volume")


class ClientGone(Exception):
    """The client has disconnected, or the channel is closed: nothing more goes either way."""


class LiveChannel(Protocol):
    """How a live speech session reaches its client; every method raises ``ClientGone``."""

    async def receive(self) -> str | bytes:
        """The next frame: its text, or its bytes for a binary frame."""

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str = "") -> None: ...


class LiveClient:
    """A channel carrying the server's JSON frames one whole frame at a time.

    The receive loop (errors) and the speaker (audio) both send; the lock keeps
    their frames from interleaving on the wire.
    """

    def __init__(self, channel: LiveChannel) -> None:
        self.channel = channel
        self._send_lock = asyncio.Lock()

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.channel.send_text(json.dumps(frame))

    async def send_error(self, detail: str) -> None:
        """Report ``detail``; a client already gone cannot hear it, and that is no error."""
        with contextlib.suppress(ClientGone):
            await self.send({"type": "error", "error": detail})

    async def send_audio(self, data: bytes, text: str, *, cached: bool,
                         first_audio_ms: int | None = None) -> None:
        frame: dict[str, Any] = {"type": "audio_chunk", "audio": base64.b64encode(data).decode(),
                                 "text": text, "isFinal": False, "cached": cached}
        if first_audio_ms is not None:
            frame["timeToFirstAudioFrameMs"] = first_audio_ms
        await self.send(frame)

    async def send_final(self) -> None:
        await self.send({"type": "final", "isFinal": True, "text": "", "audio": None})


class BadFrame(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def read_frame(raw: str) -> dict[str, Any]:
    """The frame as a dict whose known fields have their types; BadFrame says what is wrong."""
    try:
        frame = parse_json(raw)
    except MalformedJson as exc:
        raise BadFrame(f"The frame was ignored: {exc.detail}") from exc
    except ValueError as exc:  # a syntax error
        raise BadFrame(f"Each frame must be a JSON object like {EXAMPLE}; this one is not "
                       f"JSON ({exc}).") from exc
    if not isinstance(frame, dict):
        raise BadFrame(f"Each frame must be a JSON object like {EXAMPLE}, not "
                       f"{_kind(frame)}.")
    if not isinstance(frame.get("text", ""), str):
        raise BadFrame(f"text must be a string, got {_kind(frame['text'])}: send {EXAMPLE}.")
    for flag in ("flush", "force"):
        if not isinstance(frame.get(flag, False), bool):
            raise BadFrame(f"{flag} must be true or false, got {_kind(frame[flag])}.")
    settings = frame.get("voice_settings")
    if settings is not None:
        if not isinstance(settings, dict):
            raise BadFrame('voice_settings must be an object like {"voice_speed": 1.2, '
                           f'"volume": 1}}, got {_kind(settings)}.')
        for name in _SETTINGS:
            value = settings.get(name)
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, int | float)):
                raise BadFrame(f"voice_settings.{name} must be a number, got {_kind(value)}.")
    return frame


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    kind = names.get(type(value), type(value).__name__)
    shown = repr(value) if not isinstance(value, dict | list | None) else ""
    return f"{kind} {shown[:40]}".strip()
