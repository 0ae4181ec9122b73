"""WebSocket /v2/text-to-speech/speech: Telnyx's streaming TTS protocol.

Query: ``voice`` (or ``voice_id``), ``audio_format`` (mp3 default, linear16/pcm,
wav, mulaw, alaw, opus, flac, aac), ``sample_rate``, ``disable_cache``,
``inactivity_timeout`` (seconds, default 20). Auth: ``Authorization: Bearer``.

Client frames: ``{"text": " ", "voice_settings": {...}}`` first (settings fixed
for the session: ``voice_speed``/``speed``, ``volume``); then ``{"text": ...}``
fragments, buffered to sentence ends; ``"flush": true`` speaks what is pending;
``{"force": true, "text": ...}`` interrupts: the old audio stops at once and the
frame's text is spoken next; ``{"text": ""}`` ends: pending text is spoken, a
``final`` frame follows and the server closes the socket.

Server frames: ``audio_chunk`` (base64 audio of one sentence or clause, its
``text``, ``cached``, and ``timeToFirstAudioFrameMs`` on the first chunk of each
text), ``final`` (after a flush's or the end's audio) and ``error`` (the socket
stays open for bad frames; it closes after errors in the connection itself).

Limits (settings): a text frame over ``ws_max_message_bytes`` closes the socket
with 1009 (message too big), a binary frame with 1003 (unsupported data), and
text that would take the received-but-unspoken text over ``ws_max_unspoken_chars``
with 1008 (policy violation); each sends an ``error`` frame first.
All audio of a session is one continuous stream in the chosen format.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from voicesmith.api.deps import Services, bearer_token
from voicesmith.api.routers.speech import checked_volume
from voicesmith.api.streaming import iterate_in_thread
from voicesmith.audio.formats import AudioFormat, parse_format, resolve_sample_rate
from voicesmith.audio.pipeline import AudioOutput
from voicesmith.errors import AuthenticationError, ValidationError, VoicesmithError
from voicesmith.voices.speaking import SpeakingVoice
from voicesmith.voices.speech import SpeechRequest, SpeechStream, check_speed
from voicesmith.voices.text_buffer import SentenceBuffer

router = APIRouter()
log = logging.getLogger("voicesmith.ws")

DEFAULT_INACTIVITY_S = 20.0
# RFC 6455 close codes.
UNSUPPORTED_DATA = 1003
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009


class _Closed(Exception):
    """The session closed the socket itself after a limit was passed."""


@dataclass
class _Segment:
    text: str
    final: bool = False  # send a `final` frame after its audio
    end: bool = False  # then close the session
    queued: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class _Params:
    voice: str
    fmt: AudioFormat
    sample_rate: int
    use_cache: bool
    inactivity_s: float
    max_message_bytes: int = 64 * 1024
    max_unspoken_chars: int = 100_000


def _params(query: dict[str, str]) -> _Params:
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
    return _Params(voice, fmt, rate, use_cache, timeout)


@router.websocket("/text-to-speech/speech")
async def speech_socket(websocket: WebSocket) -> None:
    services: Services = websocket.app.state.services
    await websocket.accept()
    try:
        org = services.keys.authenticate(bearer_token(websocket.headers.get("authorization")))
        params = _params(dict(websocket.query_params))
        voice = await run_in_threadpool(services.voices.resolve, org, params.voice)
    except VoicesmithError as exc:
        await _refuse(websocket, exc)
        return
    settings = websocket.app.state.settings
    params = replace(params, max_message_bytes=settings.ws_max_message_bytes,
                     max_unspoken_chars=settings.ws_max_unspoken_chars)
    await _SpeechSession(websocket, services, voice, params).run()


async def _refuse(websocket: WebSocket, exc: VoicesmithError) -> None:
    detail = exc.detail if not isinstance(exc, AuthenticationError) else \
        f"{exc.detail} (send Authorization: Bearer <key>)"
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.send_json({"type": "error", "error": detail})
        await websocket.close(code=POLICY_VIOLATION, reason=detail[:120])


class _SpeechSession:
    def __init__(self, websocket: WebSocket, services: Services, voice: SpeakingVoice,
                 params: _Params) -> None:
        self.ws = websocket
        self.services = services
        self.voice = voice
        self.params = params
        self.buffer = SentenceBuffer()
        self.queue: asyncio.Queue[_Segment] = asyncio.Queue()
        self.output: AudioOutput | None = None
        self.speed = 1.0
        self.speaker: asyncio.Task[None] | None = None
        self.current: SpeechStream | None = None  # the stream the speaker is reading
        self.send_lock = asyncio.Lock()
        # Characters queued for speech and not yet spoken (the sentence buffer's
        # own pending text is bounded by it: MAX_PENDING_CHARS).
        self.unspoken = 0

    async def run(self) -> None:
        try:
            await self._receive_loop()
        except (WebSocketDisconnect, _Closed):
            pass
        finally:
            await self._stop_speaker()
            if self.output is not None:
                self.output.close()

    async def _receive_loop(self) -> None:
        while True:
            try:
                raw = await asyncio.wait_for(self._receive(), timeout=self.params.inactivity_s)
            except TimeoutError:
                if self._busy():
                    continue
                await self.ws.close(code=1000, reason="inactivity timeout")
                return
            frame = await self._parse(raw)
            if frame is None:
                continue
            if await self._handle(frame):
                if self.speaker is not None:
                    await self.speaker  # speak what is left, then close
                await self.ws.close(code=1000)
                return

    async def _receive(self) -> str:
        """The next text frame, within the size limit; a breach closes the socket."""
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        text = message.get("text")
        if text is None:
            await self._close_with_error(
                UNSUPPORTED_DATA, "Binary frames are not accepted: send JSON text frames "
                'like {"text": "Hello. "}')
        # Characters first: more of them than the limit is over it without encoding.
        elif len(text) > self.params.max_message_bytes or \
                len(text.encode()) > self.params.max_message_bytes:
            await self._close_with_error(
                MESSAGE_TOO_BIG, f"A frame may be at most {self.params.max_message_bytes} "
                "bytes: send long text in several frames")
        return text

    async def _close_with_error(self, code: int, detail: str) -> NoReturn:
        """Report ``detail``, stop speaking and close with ``code``; raises ``_Closed``."""
        await self._stop_speaker()
        await self._send_error(detail)
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self.ws.close(code=code, reason=detail[:120])
        raise _Closed(detail)

    def _busy(self) -> bool:
        """Still speaking: a long text is not inactivity."""
        return self.speaker is not None and not self.speaker.done()

    async def _parse(self, raw: str) -> dict[str, Any] | None:
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("text", ""), str):
            await self._send_error('Each frame must be a JSON object like {"text": "Hello. "}')
            return None
        return frame

    async def _handle(self, frame: dict[str, Any]) -> bool:
        """Act on one client frame; True when it ends the session."""
        text: str = frame.get("text", "")
        if self.output is None:
            try:
                self._configure(frame.get("voice_settings") or {})
            except VoicesmithError as exc:
                await self._send_error(exc.detail)
                return False
            if text.isspace():  # the handshake: nothing to say yet
                return False
        if frame.get("force"):  # what it interrupts does not count against the cap
            await self._stop_speaker()
            self.buffer.clear()
        if self.unspoken + len(self.buffer.pending) + len(text) > self.params.max_unspoken_chars:
            await self._close_with_error(
                POLICY_VIOLATION, f"More than {self.params.max_unspoken_chars} characters of "
                "text are waiting to be spoken: send more after the audio catches up")
        if frame.get("force"):
            if text.strip():
                self._enqueue(_Segment(text, final=True))
            return False
        if text == "":
            self._enqueue(_Segment(self.buffer.take_all(), final=True, end=True))
            return True
        for sentence in self.buffer.add(text):
            self._enqueue(_Segment(sentence))
        if frame.get("flush"):
            self._enqueue(_Segment(self.buffer.take_all(), final=True))
        return False

    def _configure(self, settings: dict[str, Any]) -> None:
        speed = settings.get("voice_speed", settings.get("speed"))
        self.speed = 1.0 if speed is None else check_speed(speed, pointer="/voice_settings/speed")
        volume = checked_volume(settings.get("volume"), "/voice_settings/volume")
        self.output = AudioOutput(self.params.fmt, self.params.sample_rate, volume=volume)

    def _enqueue(self, segment: _Segment) -> None:
        if self.speaker is None or self.speaker.done():
            self.speaker = asyncio.get_running_loop().create_task(self._speak_queue())
        self.unspoken += len(segment.text)
        self.queue.put_nowait(segment)

    async def _stop_speaker(self) -> None:
        """Interrupt: no more old audio is sent; the piece in progress ends, then stops."""
        if self.speaker is not None and not self.speaker.done():
            self.speaker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.speaker
        if self.current is not None:
            # The piece in progress may still be encoding into the shared output.
            await run_in_threadpool(self.current.wait_closed)
            self.current = None
        self.speaker = None
        while not self.queue.empty():
            self.queue.get_nowait()
        self.unspoken = 0

    async def _speak_queue(self) -> None:
        try:
            while True:
                segment = await self.queue.get()
                try:
                    if segment.text.strip():
                        await self._speak(segment)
                finally:
                    self.unspoken -= len(segment.text)
                if segment.end:
                    tail = self.output.finish() if self.output is not None else b""
                    if tail:
                        await self._send({"type": "audio_chunk", "audio": _b64(tail), "text": "",
                                          "isFinal": False, "cached": False})
                if segment.final:
                    await self._send({"type": "final", "isFinal": True, "text": "",
                                      "audio": None})
                if segment.end:
                    return
        except (WebSocketDisconnect, RuntimeError):
            return  # the client has gone: nothing more to send

    async def _speak(self, segment: _Segment) -> None:
        if self.output is None:  # configured by the first frame; never reached without it
            return
        req = SpeechRequest(text=segment.text, voice=self.voice, speed=self.speed,
                            use_cache=self.params.use_cache)
        try:
            stream = await run_in_threadpool(self.services.speech.open, req, output=self.output)
        except ValidationError as exc:
            if exc.pointer != "/text":
                await self._send_error(exc.detail)
            return  # punctuation alone has nothing to speak: not worth an error
        first = True
        self.current = stream
        chunks = iterate_in_thread(stream, stream.close)
        try:
            async for chunk in chunks:
                if not chunk.data:
                    continue
                frame: dict[str, Any] = {"type": "audio_chunk", "audio": _b64(chunk.data),
                                         "text": chunk.text, "isFinal": False,
                                         "cached": stream.cached}
                if first:
                    frame["timeToFirstAudioFrameMs"] = round(
                        (time.perf_counter() - segment.queued) * 1000)
                    first = False
                await self._send(frame)
        except VoicesmithError as exc:
            await self._send_error(exc.detail)
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]

    async def _send(self, frame: dict[str, Any]) -> None:
        async with self.send_lock:
            await self.ws.send_text(json.dumps(frame))

    async def _send_error(self, detail: str) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await self._send({"type": "error", "error": detail})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
