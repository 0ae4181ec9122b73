"""A voice ready to speak: what every speech path (REST, WebSocket, OpenAI) synthesizes with.

Design clones, upload clones and stock voices all resolve to a ``SpeakingVoice``;
``speak`` is the one place that turns it and a text into audio chunks, so a
clone's synthesis-time transform (upload clones) and the requested speed are
applied on every path alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.audio.tempo import change_tempo
from voicesmith.engine.base import AudioChunk, SpeechEngine, VoiceStyle
from voicesmith.engine.languages import Language

# The engine's own speed range; a request beyond it is completed by a
# pitch-preserving tempo change of the audio (audio.tempo).
ENGINE_MIN_SPEED, ENGINE_MAX_SPEED = 0.5, 2.0


@dataclass(frozen=True)
class SpeakingVoice:
    """``voice_id`` is the canonical id (e.g. ``Telnyx.Kokoro.af_heart``)."""

    voice_id: str
    style: VoiceStyle
    language: Language
    postprocess: dict[str, Any] | None = None


def split_speed(total: float) -> tuple[float, float]:
    """(engine speed, tempo factor) whose product is ``total``."""
    engine = min(max(total, ENGINE_MIN_SPEED), ENGINE_MAX_SPEED)
    return engine, total / engine


def speak(engine: SpeechEngine, text: str, voice: SpeakingVoice,
          speed: float = 1.0) -> Iterator[AudioChunk]:
    """Synthesize ``text`` chunk by chunk; closing the iterator stops the engine's work.

    The text is checked now (bad input raises before any audio exists); the
    engine runs as the iterator is advanced. ``speed`` multiplies the voice's
    own pace (a design's pace trait lives in its style's speed).
    """
    engine_speed, tempo = split_speed(voice.style.speed * speed)
    style = voice.style if engine_speed == voice.style.speed else VoiceStyle(
        voice.style.pack, engine_speed)
    chunks = engine.synthesize(text, style, voice.language)
    if not voice.postprocess and abs(tempo - 1.0) < 1e-9:
        return chunks
    return _transformed(chunks, voice.postprocess, tempo)


def speak_all(engine: SpeechEngine, text: str, voice: SpeakingVoice,
              speed: float = 1.0) -> NDArray[np.float32]:
    """``speak``'s whole output as one array (for measuring, not for serving)."""
    return np.concatenate([c.samples for c in speak(engine, text, voice, speed)]).astype(
        np.float32, copy=False)


def _transformed(chunks: Iterator[AudioChunk], postprocess: dict[str, Any] | None,
                 tempo: float) -> Iterator[AudioChunk]:
    try:
        for chunk in chunks:
            samples = chunk.samples
            if postprocess:
                from voicesmith.cloning.postprocess import apply_postprocess

                samples = apply_postprocess(samples, postprocess, chunk.sample_rate)
            if abs(tempo - 1.0) >= 1e-9:
                samples = change_tempo(samples, chunk.sample_rate, tempo)
            yield replace(chunk, samples=samples)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
