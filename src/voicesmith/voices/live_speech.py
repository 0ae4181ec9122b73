"""Live speech: Telnyx's streaming TTS session (WebSocket /v2/text-to-speech/speech), no HTTP.

The API accepts the socket, checks the key, the query and the voice, and hands
the connection over as a ``LiveChannel`` (``live_frames``); from there on it
is this session's.

Client frames: ``{"text": " ", "voice_settings": {...}}`` first (settings fixed
for the session: ``voice_speed``/``speed``, ``volume``); then ``{"text": ...}``
fragments, buffered to sentence ends (``text_buffer``); ``"flush": true``
speaks what is pending; ``{"force": true, "text": ...}`` interrupts: the old
audio stops at once and the frame's text is spoken next; ``{"text": ""}`` ends:
pending text is spoken, a ``final`` frame follows and the server closes the
socket (1000). A sentence that only its next word could continue ("Hello. ")
waits for that word ``HELD_SENTENCE_S``, then is spoken anyway; no frame for
``inactivity_s`` while nothing is being spoken closes the socket (1000).

Server frames (``live_speaker``): ``audio_chunk`` (base64 audio of one sentence
or clause, its ``text``, ``cached``, and ``timeToFirstAudioFrameMs`` on the
first chunk of each text), ``final`` (after a flush's or the end's audio) and
``error`` (the socket stays open for bad frames; it closes after errors in the
connection itself). The first text, with nothing playing, starts with a short
chunk (its first clause); texts queued behind audio already sent are whole.
Out of order: a first frame with text is spoken (with default settings unless
it has ``voice_settings``); ``voice_settings`` in a later frame get an error
(its text is still spoken); a frame after the end gets an error while the rest
is spoken, and is not spoken. Bad frames (``live_frames.read_frame``): not
JSON, not an object, a field of the wrong type, duplicate keys, NaN, deep nesting.

Limits (``LiveSpeechOptions``, from the settings): a text frame over
``max_message_bytes`` closes the socket with 1009 (message too big), a binary
frame with 1003 (unsupported data), and text that would take the
received-but-unspoken text over ``max_unspoken_chars`` with 1008 (policy
violation); each sends an ``error`` frame first. All audio of a session is
one continuous stream in the chosen format.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any, NoReturn

from voicesmith.audio.formats import AudioFormat
from voicesmith.audio.pipeline import AudioOutput
from voicesmith.errors import VoicesmithError
from voicesmith.voices.live_frames import (
    MESSAGE_TOO_BIG,
    NORMAL_CLOSURE,
    POLICY_VIOLATION,
    UNSUPPORTED_DATA,
    BadFrame,
    ClientGone,
    LiveChannel,
    LiveClient,
    read_frame,
)
from voicesmith.voices.live_speaker import LiveSpeaker, Segment
from voicesmith.voices.speaking import SpeakingVoice
from voicesmith.voices.speech import SpeechService, check_speed, check_volume
from voicesmith.voices.text_buffer import SentenceBuffer

# How long a sentence that only its next word could continue waits for that word.
HELD_SENTENCE_S = 0.3


@dataclass(frozen=True)
class LiveSpeechOptions:
    fmt: AudioFormat
    sample_rate: int
    use_cache: bool
    inactivity_s: float
    max_message_bytes: int = 64 * 1024
    max_unspoken_chars: int = 100_000


class _Closed(Exception):
    """The session closed the channel itself after a limit was passed."""


class LiveSpeech:
    def __init__(self, channel: LiveChannel, speech: SpeechService, voice: SpeakingVoice,
                 options: LiveSpeechOptions) -> None:
        self.client = LiveClient(channel)
        self.options = options
        self.buffer = SentenceBuffer()
        self.speaker = LiveSpeaker(self.client, speech, voice, use_cache=options.use_cache)

    async def run(self) -> None:
        """Serve the session until it ends, the client goes or a limit closes it."""
        try:
            await self._receive_loop()
        except (ClientGone, _Closed):
            pass
        finally:
            await self.speaker.close()

    async def _receive_loop(self) -> None:
        while True:
            # "Hello. " waits for the next word (lower case would continue the
            # sentence), but not for long: a stream that pauses there means it.
            held = self.buffer.ends_a_sentence
            try:
                raw = await asyncio.wait_for(
                    self._receive(), timeout=HELD_SENTENCE_S if held else self.options.inactivity_s)
            except TimeoutError:
                if held:
                    self.speaker.enqueue(Segment(self.buffer.take_all()))
                    continue
                if self.speaker.busy:
                    continue
                await self.client.channel.close(NORMAL_CLOSURE, "inactivity timeout")
                return
            frame = await self._parse(raw)
            if frame is None:
                continue
            if await self._handle(frame):
                await self._finish_after_end()
                await self.client.channel.close(NORMAL_CLOSURE)
                return

    async def _finish_after_end(self) -> None:
        """Speak what is left; a frame that still comes is answered with an error, not spoken."""
        while (speaking := self.speaker.task) is not None and not speaking.done():
            frame = asyncio.ensure_future(self._receive())
            await asyncio.wait({speaking, frame}, return_when=asyncio.FIRST_COMPLETED)
            if not frame.done():
                frame.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await frame
                break
            frame.result()  # a disconnect or a breached limit ends the session
            await self.client.send_error('The stream has ended ({"text": ""} was sent): this '
                                         "frame was ignored. Open a new session to say more.")
        if self.speaker.task is not None:
            await self.speaker.task

    async def _receive(self) -> str:
        """The next text frame, within the size limit; a breach closes the channel."""
        message = await self.client.channel.receive()
        if isinstance(message, bytes):
            await self._close_with_error(
                UNSUPPORTED_DATA, "Binary frames are not accepted: send JSON text frames "
                'like {"text": "Hello. "}')
        limit = self.options.max_message_bytes
        # Characters first: more of them than the limit is over it without encoding.
        if len(message) > limit or len(message.encode()) > limit:
            await self._close_with_error(
                MESSAGE_TOO_BIG, f"A frame may be at most {limit} bytes: send long text in "
                "several frames")
        return message

    async def _close_with_error(self, code: int, detail: str) -> NoReturn:
        """Report ``detail``, stop speaking and close with ``code``; raises ``_Closed``."""
        await self.speaker.stop()
        await self.client.send_error(detail)
        with contextlib.suppress(ClientGone):
            await self.client.channel.close(code, detail[:120])
        raise _Closed(detail)

    async def _parse(self, raw: str) -> dict[str, Any] | None:
        try:
            return read_frame(raw)
        except BadFrame as exc:
            await self.client.send_error(exc.detail)
            return None

    async def _handle(self, frame: dict[str, Any]) -> bool:
        """Act on one client frame; True when it ends the session."""
        text: str = frame.get("text", "")
        if not self.speaker.configured:
            try:
                self._configure(frame.get("voice_settings") or {})
            except VoicesmithError as exc:
                await self.client.send_error(exc.detail)
                return False
            if text.isspace():  # the handshake: nothing to say yet
                return False
        elif "voice_settings" in frame:  # the frame's text is still spoken
            await self.client.send_error("voice_settings are fixed by the session's first "
                                         "frame; these were ignored. Open a new session to "
                                         "change them.")
        if frame.get("force"):  # what it interrupts does not count against the cap
            await self.speaker.stop()
            self.buffer.clear()
        cap = self.options.max_unspoken_chars
        if self.speaker.unspoken + len(self.buffer.pending) + len(text) > cap:
            await self._close_with_error(
                POLICY_VIOLATION, f"More than {cap} characters of text are waiting to be "
                "spoken: send more after the audio catches up")
        if frame.get("force"):
            if text.strip():
                self.speaker.enqueue(Segment(text, final=True))
            return False
        if text == "":
            self.speaker.enqueue(Segment(self.buffer.take_all(), final=True, end=True))
            return True
        for sentence in self.buffer.add(text):
            self.speaker.enqueue(Segment(sentence))
        if frame.get("flush"):
            self.speaker.enqueue(Segment(self.buffer.take_all(), final=True))
        return False

    def _configure(self, settings: dict[str, Any]) -> None:
        speed = settings.get("voice_speed", settings.get("speed"))
        speed = 1.0 if speed is None else check_speed(speed, pointer="/voice_settings/speed")
        volume = check_volume(settings.get("volume"), pointer="/voice_settings/volume")
        output = AudioOutput(self.options.fmt, self.options.sample_rate, volume=volume)
        self.speaker.configure(output, speed)
