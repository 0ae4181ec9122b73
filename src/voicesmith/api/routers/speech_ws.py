"""WebSocket /v2/text-to-speech/speech: Telnyx's streaming TTS, its HTTP side.

Here the socket is accepted and the connection checked: the key
(``Authorization: Bearer``; a connection counts against its rate limit, and
read-only keys may speak), the query (``voice`` or ``voice_id``,
``audio_format``: mp3 default, linear16/pcm, wav, mulaw, alaw, opus, flac,
aac; ``sample_rate``, ``disable_cache``, ``inactivity_timeout``: seconds,
default 20) and the voice. Anything wrong gets an ``error`` frame and a close
with 1008, or 1013 over the rate limit. The session itself (frames,
buffering, interrupts, limits, close codes) is ``voices/live_speech.py``; this
module adapts Starlette's WebSocket to its ``LiveChannel``.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from voicesmith.api.deps import Services, authorize, bearer_token
from voicesmith.audio.formats import AudioFormat, parse_format, resolve_sample_rate
from voicesmith.config import Settings
from voicesmith.errors import AuthenticationError, BusyError, ValidationError, VoicesmithError
from voicesmith.voices.keys import Access
from voicesmith.voices.live_frames import POLICY_VIOLATION, TRY_AGAIN_LATER, ClientGone
from voicesmith.voices.live_speech import LiveSpeech, LiveSpeechOptions

router = APIRouter()

DEFAULT_INACTIVITY_S = 20.0


def _query(query: dict[str, str], settings: Settings) -> tuple[str, LiveSpeechOptions]:
    """The voice asked for and the session's options; ValidationError names the parameter."""
    voice = query.get("voice") or query.get("voice_id") or ""
    fmt = parse_format(query.get("audio_format") or AudioFormat.MP3, pointer="audio_format")
    rate = resolve_sample_rate(fmt, query.get("sample_rate"), pointer="sample_rate")
    try:
        timeout = float(query.get("inactivity_timeout") or DEFAULT_INACTIVITY_S)
    except ValueError:
        timeout = math.nan
    if not 1.0 <= timeout <= 3600.0:  # also rejects nan
        raise ValidationError("inactivity_timeout must be 1 to 3600 seconds",
                              pointer="inactivity_timeout")
    use_cache = (query.get("disable_cache") or "false").lower() not in ("true", "1")
    return voice, LiveSpeechOptions(fmt, rate, use_cache, timeout,
                                    max_message_bytes=settings.ws_max_message_bytes,
                                    max_unspoken_chars=settings.ws_max_unspoken_chars)


@router.websocket("/text-to-speech/speech")
async def speech_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    await websocket.accept()
    try:
        # A connection is one request against the key's rate limit; read-only keys may speak.
        org = authorize(services, bearer_token(websocket.headers.get("authorization")),
                        Access.SPEAK)
        name, options = _query(dict(websocket.query_params), websocket.app.state.settings)
        voice = await run_in_threadpool(services.voices.resolve, org, name)
    except VoicesmithError as exc:
        await _refuse(websocket, exc)
        return
    await LiveSpeech(_SocketChannel(websocket), services.speech, voice, options).run()


async def _refuse(websocket: WebSocket, exc: VoicesmithError) -> None:
    detail = exc.detail if not isinstance(exc, AuthenticationError) else \
        f"{exc.detail} (send Authorization: Bearer <key>)"
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_json({"type": "error", "error": detail})
        code = TRY_AGAIN_LATER if isinstance(exc, BusyError) else POLICY_VIOLATION
        await websocket.close(code=code, reason=detail[:120])


class _SocketChannel:
    """The session's ``LiveChannel`` over Starlette's WebSocket."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket

    async def receive(self) -> str | bytes:
        with _client_gone():
            message = await self._websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise ClientGone(f"disconnected ({message.get('code', 1000)})")
        text: str | None = message.get("text")
        return text if text is not None else message.get("bytes") or b""

    async def send_text(self, text: str) -> None:
        with _client_gone():
            await self._websocket.send_text(text)

    async def close(self, code: int, reason: str = "") -> None:
        with _client_gone():
            await self._websocket.close(code=code, reason=reason)


@contextlib.contextmanager
def _client_gone() -> Iterator[None]:
    """Starlette's ways of saying the client has gone, as the session's ``ClientGone``."""
    try:
        yield
    except WebSocketDisconnect as exc:  # the client left (also mid-send: code 1006)
        raise ClientGone(f"disconnected ({exc.code})") from exc
    except RuntimeError as exc:  # WebSocketDisconnected: used after the close
        raise ClientGone(str(exc)) from exc
