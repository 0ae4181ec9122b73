"""A voice ready to speak: what every speech path (REST, WebSocket, OpenAI) synthesizes with.

Design clones, upload clones and stock voices all resolve to a ``SpeakingVoice``;
``speak`` is the one place that turns it and a text into audio chunks, so a
voice's synthesis-time transform (``transformed``, shared with design samples)
and the requested speed are applied on every path alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.audio.tempo import change_tempo
from voicesmith.audio.voice_transform import TransformStream, VoiceTransform
from voicesmith.engine.base import (
    ENGINE_MAX_SPEED,
    ENGINE_MIN_SPEED,
    SAMPLE_RATE,
    AudioChunk,
    SpeechEngine,
    VoiceStyle,
    close_iterator,
)
from voicesmith.engine.languages import Language
from voicesmith.providers import RemoteVoice
from voicesmith.store.speech_cache import voice_fingerprint


@dataclass(frozen=True)
class SpeakingVoice:
    """``voice_id`` is the canonical id (e.g. ``Telnyx.Kokoro.af_heart``).

    A voice with ``remote`` speaks through its provider (``SpeechService``);
    its ``style`` is None, for the engine has nothing of it.
    """

    voice_id: str
    style: VoiceStyle | None
    language: Language
    postprocess: dict[str, Any] | None = None
    remote: RemoteVoice | None = None

    @property
    def engine_style(self) -> VoiceStyle:
        if self.style is None:
            raise TypeError(f"voice {self.voice_id} speaks through its provider, not the engine")
        return self.style

    def fingerprint(self) -> str:
        """What identifies the voice's sound (the speech cache's key)."""
        if self.remote is not None:
            r = self.remote
            return voice_fingerprint(f"{r.provider}:{r.model}:{r.voice_id}".encode(), None)
        return voice_fingerprint(self.engine_style.to_bytes(), self.postprocess)


def split_speed(total: float) -> tuple[float, float]:
    """(engine speed, tempo factor) whose product is ``total``: the engine makes what
    it can and a pitch-preserving tempo change (audio.tempo) does the rest."""
    engine = min(max(total, ENGINE_MIN_SPEED), ENGINE_MAX_SPEED)
    return engine, total / engine


def speak(engine: SpeechEngine, text: str, voice: SpeakingVoice,
          speed: float = 1.0, *, quick_start: bool = False) -> Iterator[AudioChunk]:
    """Synthesize ``text`` chunk by chunk; closing the iterator stops the engine's work.

    The text is checked now (bad input raises before any audio exists); the
    engine runs as the iterator is advanced. ``speed`` multiplies the voice's
    own pace (a design's pace trait lives in its style's speed); ``quick_start``
    makes the first chunk short, for a listener waiting on it.
    """
    own = voice.engine_style
    engine_speed, tempo = split_speed(own.speed * speed)
    style = own if engine_speed == own.speed else VoiceStyle(own.pack, engine_speed)
    chunks = engine.synthesize(text, style, voice.language, quick_start=quick_start)
    if not voice.postprocess and abs(tempo - 1.0) < 1e-9:
        return chunks
    return transformed(chunks, voice.postprocess, tempo)


def speak_all(engine: SpeechEngine, text: str, voice: SpeakingVoice,
              speed: float = 1.0) -> NDArray[np.float32]:
    """``speak``'s whole output as one array (for measuring, not for serving)."""
    return np.concatenate([c.samples for c in speak(engine, text, voice, speed)]).astype(
        np.float32, copy=False)


def transformed(chunks: Iterator[AudioChunk], transform: dict[str, Any] | None,
                tempo: float = 1.0) -> Iterator[AudioChunk]:
    """``chunks`` with a voice's stored transform and a tempo change applied.

    The one place a transform meets audio, for samples and every speech path:
    a ``voice_transform`` runs as a stream over the utterance (its state, and
    the few milliseconds it holds back, carried across chunks, so boundaries
    neither click nor jump in level). Upload clones stored before this stage
    existed (``world_f0_warp``) are read as the F0 ratio and formant warp they
    hold: one mechanism for every voice.
    """
    stream = _stream(transform)
    try:
        last: AudioChunk | None = None
        for chunk in chunks:
            samples = chunk.samples
            if stream is not None:  # the last chunk also takes what the stream held back
                samples = stream.process(samples, last=chunk.is_last)
            last = replace(chunk, samples=_tempo(samples, chunk.sample_rate, tempo))
            yield last
        if stream is not None and last is not None and not last.is_last:
            # an engine that never marked its last chunk: the held-back tail still plays
            yield replace(last, samples=_tempo(stream.flush(), last.sample_rate, tempo),
                          text="", index=last.index + 1, is_last=True)
    finally:
        close_iterator(chunks)


def _tempo(samples: NDArray[np.float32], rate: int, tempo: float) -> NDArray[np.float32]:
    return samples if abs(tempo - 1.0) < 1e-9 else change_tempo(samples, rate, tempo)


def _stream(transform: dict[str, Any] | None) -> TransformStream | None:
    if not transform:
        return None
    parsed = VoiceTransform.from_dict(transform)
    return None if parsed.is_identity else TransformStream(parsed, SAMPLE_RATE)
