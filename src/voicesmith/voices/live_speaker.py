"""Live speech's speaker: a session's texts, in order, as one continuous stream of audio frames.

The receive loop (``live_speech``) queues ``Segment``s; one task speaks them
one after another, each a synthesis of its own encoded by the session's one
``AudioOutput``, so the client hears a single stream in its format. A force
interrupt (``stop``) ends it at once: no more old audio is sent, and the piece
in progress finishes in its worker thread and is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from dataclasses import dataclass, field, replace

import anyio

from voicesmith.audio.pipeline import AudioOutput
from voicesmith.errors import NothingToSpeakError, VoicesmithError
from voicesmith.voices.live_frames import ClientGone, LiveClient
from voicesmith.voices.speaking import SpeakingVoice
from voicesmith.voices.speech import EncodedChunk, SpeechRequest, SpeechService, SpeechStream


@dataclass
class Segment:
    text: str
    final: bool = False  # send a `final` frame after its audio
    end: bool = False  # then close the session
    quick_start: bool = False  # nothing is playing: make its first chunk short
    queued: float = field(default_factory=time.perf_counter)


class LiveSpeaker:
    def __init__(self, client: LiveClient, speech: SpeechService, voice: SpeakingVoice, *,
                 use_cache: bool) -> None:
        self.client = client
        self.speech = speech
        self.voice = voice
        self.use_cache = use_cache
        self.output: AudioOutput | None = None  # set by the session's first frame
        self.speed = 1.0
        self.task: asyncio.Task[None] | None = None  # speaking the queue; done after the end
        self._queue: asyncio.Queue[Segment] = asyncio.Queue()
        self._current: SpeechStream | None = None  # the stream the task is reading
        # Characters queued for speech and not yet spoken (the sentence buffer's
        # own pending text is bounded by it: MAX_PENDING_CHARS).
        self.unspoken = 0
        self._speaking = False  # a segment is being synthesized and sent

    @property
    def configured(self) -> bool:
        return self.output is not None

    @property
    def busy(self) -> bool:
        """Speaking, or text waiting to be: a long text is not inactivity.

        (Not "the task is alive": it waits for the next segment once the queue is spoken.)
        """
        return self._speaking or not self._queue.empty()

    def configure(self, output: AudioOutput, speed: float) -> None:
        self.output, self.speed = output, speed

    def enqueue(self, segment: Segment) -> None:
        if not self._speaking and self._queue.empty():
            # Nothing is being made, so the listener may be waiting: start with a short
            # chunk. Texts queued behind others play after audio already sent: whole.
            segment = replace(segment, quick_start=True)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._speak_queue())
        self.unspoken += len(segment.text)
        self._queue.put_nowait(segment)

    async def stop(self) -> None:
        """Interrupt: no more old audio is sent; the piece in progress ends, then stops."""
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        if self._current is not None:
            # The piece in progress may still be encoding into the shared output.
            await anyio.to_thread.run_sync(self._current.wait_closed)
            self._current = None
        self.task = None
        while not self._queue.empty():
            self._queue.get_nowait()
        self.unspoken = 0

    async def close(self) -> None:
        await self.stop()
        if self.output is not None:
            self.output.close()

    async def _speak_queue(self) -> None:
        try:
            while True:
                segment = await self._queue.get()
                self._speaking = True
                try:
                    if segment.text.strip():
                        await self._speak(segment)
                finally:
                    self._speaking = False
                    self.unspoken -= len(segment.text)
                if segment.end:
                    tail = self.output.finish() if self.output is not None else b""
                    if tail:
                        await self.client.send_audio(tail, "", cached=False)
                if segment.final:
                    await self.client.send_final()
                if segment.end:
                    return
        except ClientGone:
            return  # nothing more to send

    async def _speak(self, segment: Segment) -> None:
        if self.output is None:  # configured by the first frame; never reached without it
            return
        req = SpeechRequest(text=segment.text, voice=self.voice, speed=self.speed,
                            use_cache=self.use_cache, quick_start=segment.quick_start)
        try:
            stream = await anyio.to_thread.run_sync(
                functools.partial(self.speech.open, req, output=self.output))
        except NothingToSpeakError:
            return  # punctuation or emoji alone: not worth an error
        except VoicesmithError as exc:  # bad text, or a remote provider's failure (502/429)
            await self.client.send_error(exc.detail)
            return
        self._current = stream
        first = True
        try:
            # Each step runs the engine for one piece: in a worker thread. A cancel
            # (an interrupt) waits for the step in progress, then closes the stream.
            while (chunk := await anyio.to_thread.run_sync(_next_chunk, stream)) is not None:
                if not chunk.data:  # an encoder still filling a frame
                    continue
                first_audio_ms = None
                if first:
                    first_audio_ms = round((time.perf_counter() - segment.queued) * 1000)
                    first = False
                await self.client.send_audio(chunk.data, chunk.text, cached=stream.cached,
                                             first_audio_ms=first_audio_ms)
        except VoicesmithError as exc:
            await self.client.send_error(exc.detail)
        finally:
            stream.close()


def _next_chunk(stream: SpeechStream) -> EncodedChunk | None:
    return next(stream, None)
