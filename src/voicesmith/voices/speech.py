"""Speech: a voice and a text become encoded audio, chunk by chunk. No HTTP here.

``SpeechService.open`` validates everything a request can get wrong (text,
format, sample rate, volume, speed) *before* any audio is produced, so the API
can still answer with an error status; the returned ``SpeechStream`` is then
advanced one chunk per ``next()`` (the engine runs one piece per step, as one
turn in the synthesis pool, so concurrent streams interleave fairly),
and ``close()`` stops the work: a client that goes away costs at most the piece
in progress.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from voicesmith.audio import pcm
from voicesmith.audio.formats import AudioFormat
from voicesmith.audio.pipeline import AudioOutput
from voicesmith.engine.base import AudioChunk, SpeechEngine, close_iterator
from voicesmith.engine.languages import Language
from voicesmith.errors import AtCapacityError, ValidationError
from voicesmith.providers import Providers
from voicesmith.store.speech_cache import CacheWriter, SpeechCache, cache_key
from voicesmith.voices.speaking import SpeakingVoice, speak
from voicesmith.voices.synthesis import SynthesisPool, SynthesisSlots

MAX_TEXT_CHARS = 100_000
MIN_SPEED, MAX_SPEED = 0.25, 4.0


@dataclass(frozen=True)
class SpeechRequest:
    text: str
    voice: SpeakingVoice
    format: AudioFormat | str = AudioFormat.MP3
    sample_rate: int | None = None
    volume: float = 1.0
    speed: float = 1.0
    language: Language | None = None  # None: the voice's own language
    use_cache: bool = True
    # A listener is waiting for the first audio: make the first chunk short
    # (engine.lead). False where audio is already playing (a WebSocket's later texts).
    quick_start: bool = True


@dataclass(frozen=True)
class EncodedChunk:
    data: bytes
    text: str
    is_last: bool


def check_text(text: str, *, pointer: str = "/text") -> str:
    if not text or not text.strip():
        raise ValidationError("text is required: give the words to speak.", pointer=pointer)
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationError(
            f"text is {len(text):,} characters; at most {MAX_TEXT_CHARS:,} are accepted per "
            "request. Split it into several requests (or stream it over the WebSocket).",
            pointer=pointer)
    return text


def check_speed(speed: float, *, pointer: str) -> float:
    value = float(speed)
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise ValidationError(f"speed must be from {MIN_SPEED} to {MAX_SPEED}, got {speed!r}",
                              pointer=pointer)
    return value


def check_volume(volume: float | None, *, pointer: str) -> float:
    """A request's volume (None: unchanged, 1.0); out of range, an error at ``pointer``."""
    if volume is None:
        return 1.0
    try:
        return pcm.check_volume(volume)
    except pcm.AudioFormatError as exc:  # re-raised with the request field it came from
        raise ValidationError(exc.detail, pointer=pointer) from exc


class SpeechService:
    def __init__(self, engine: SpeechEngine, pool: SynthesisPool,
                 cache: SpeechCache | None, providers: Providers | None = None,
                 slots: SynthesisSlots | None = None) -> None:
        self.engine = engine
        self._pool = pool
        self._cache = cache
        self._providers = providers or Providers()
        self._slots = slots or SynthesisSlots(0)

    def open(self, req: SpeechRequest, *, output: AudioOutput | None = None) -> SpeechStream:
        """Validate and start a synthesis; raises ValidationError before any audio exists.

        ``output`` lets a caller (the WebSocket) keep one encoder across many
        texts, so everything it sends is one continuous stream.
        """
        check_text(req.text)
        out = output or AudioOutput(req.format, req.sample_rate, volume=req.volume)
        try:
            chunks, writer, cached = self._chunks(req)
        except BaseException:
            if output is None:
                out.close()
            raise
        slot: SynthesisSlots | None = None
        # A replay from the cache, or a remote voice, costs no engine time: no slot.
        if not cached and req.voice.remote is None:
            try:
                self._slots.acquire()
            except AtCapacityError:
                _discard(chunks, writer)
                if output is None:
                    out.close()
                raise
            slot = self._slots
        # A remote voice's steps wait on the network, not the CPU: they take no turn
        # in the synthesis pool (which would idle an engine worker meanwhile).
        return SpeechStream(chunks, out, writer, cached=cached,
                            pool=None if req.voice.remote else self._pool,
                            owns_output=output is None, slot=slot)

    def _chunks(self, req: SpeechRequest) -> tuple[Iterator[AudioChunk], CacheWriter | None, bool]:
        language = req.language or req.voice.language
        key = None
        if self._cache is not None:
            key = cache_key(voice_fingerprint=req.voice.fingerprint(), language=language.code,
                            speed=req.speed, text=req.text)
            if req.use_cache and (entry := self._cache.lookup(key)) is not None:
                return entry.replay(), None, True
        if req.voice.remote is not None:
            # The provider's first audio is awaited here, so that its failures
            # (unreachable, slow, an error, a rate limit) are this request's status
            # on every path, before any response has started.
            remote = req.voice.remote
            chunks = _primed(self._providers.get(remote.provider).speak(req.text, remote,
                                                                        req.speed))
        else:
            voice = req.voice if language == req.voice.language else SpeakingVoice(
                req.voice.voice_id, req.voice.style, language, req.voice.postprocess)
            chunks = speak(self.engine, req.text, voice, req.speed, quick_start=req.quick_start)
        writer = self._cache.writer(key) if self._cache is not None and key else None
        return chunks, writer, False


def _discard(chunks: Iterator[AudioChunk], writer: CacheWriter | None) -> None:
    if writer is not None:
        writer.abort()
    close_iterator(chunks)


def _primed(chunks: Iterator[AudioChunk]) -> Iterator[AudioChunk]:
    """``chunks`` with its first item already fetched (its errors raised now)."""
    try:
        first = next(chunks, None)
    except BaseException:
        close_iterator(chunks)
        raise

    def rest() -> Iterator[AudioChunk]:
        try:
            if first is not None:
                yield first
                yield from chunks
        finally:
            close_iterator(chunks)

    return rest()


class SpeechStream:
    """One synthesis in progress: iterate for encoded chunks; always ``close()``."""

    def __init__(self, chunks: Iterator[AudioChunk], output: AudioOutput,
                 writer: CacheWriter | None, *, cached: bool,
                 pool: SynthesisPool | None, owns_output: bool,
                 slot: SynthesisSlots | None = None) -> None:
        """``slot``: the synthesis slot this stream holds, released when it closes."""
        self._chunks = chunks
        self._slot = slot
        self.output = output
        self._writer = writer
        self.cached = cached
        self._pool = pool
        self._owns_output = owns_output
        self._done = False
        self._closed = False
        self._close_requested = False
        self._step_lock = threading.Lock()
        self.audio_seconds = 0.0

    @property
    def media_type(self) -> str:
        return self.output.media_type

    @property
    def sample_rate(self) -> int:
        return self.output.sample_rate

    def __iter__(self) -> Iterator[EncodedChunk]:
        return self

    def __next__(self) -> EncodedChunk:
        # One step at a time; close() from another thread waits for no one: it
        # marks the stream and the step in progress (if any) closes it on exit.
        with self._step_lock:
            if self._done or self._close_requested:
                self._close_now()
                raise StopIteration
            try:
                encoded = self._step()
            except BaseException:
                self._close_now()
                raise
            if self._close_requested:
                self._close_now()
                raise StopIteration
            return encoded

    def _step(self) -> EncodedChunk:
        chunk = self._next_chunk()
        if chunk is None:
            self._done = True
            if self._writer is not None:
                self._writer.commit()
            tail = self.output.finish() if self._owns_output else b""
            return EncodedChunk(tail, "", True)
        if self._writer is not None:
            self._writer.add(chunk)
        self.audio_seconds += chunk.duration_s
        return EncodedChunk(self.output.write_chunk(chunk), chunk.text, False)

    def _next_chunk(self) -> AudioChunk | None:
        if self.cached or self._pool is None:
            return next(self._chunks, None)
        # One engine pass per turn in the pool: concurrent streams take turns.
        return self._pool.run(lambda: next(self._chunks, None))

    def close(self) -> None:
        """Stop: no further engine pass; an unfinished cache entry is dropped.

        Safe from any thread, also while a step runs in another (it then
        closes the stream as soon as its piece is done).
        """
        self._close_requested = True
        if self._step_lock.acquire(blocking=False):
            try:
                self._close_now()
            finally:
                self._step_lock.release()

    def wait_closed(self) -> None:
        """Close, and return once no step is running (a shared output is free again)."""
        self._close_requested = True
        with self._step_lock:
            self._close_now()

    def _close_now(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self._writer is not None and not self._done:
                self._writer.abort()
            self._done = True
            close_iterator(self._chunks)
            if self._owns_output:
                self.output.close()
        finally:
            if self._slot is not None:
                self._slot.release()
