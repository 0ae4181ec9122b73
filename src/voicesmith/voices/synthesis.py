"""Turning a stored voice and a text into a finished sample, with bounded concurrency."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from voicesmith.audio.wav import encode_wav
from voicesmith.engine.base import SpeechEngine, VoiceStyle
from voicesmith.engine.languages import Language
from voicesmith.errors import ValidationError
from voicesmith.voices.speaking import transformed

# A design's `max_new_tokens` counts Qwen3-TTS codec tokens, which run at 12.5 Hz:
# one token is 80 ms of audio. We keep that meaning so the cap means the same
# duration here as on Telnyx.
SECONDS_PER_TOKEN = 0.08


class SampleSynthesizer:
    """Synthesizes design samples; at most ``workers`` at a time share the CPU."""

    def __init__(self, engine: SpeechEngine, workers: int) -> None:
        self.engine = engine
        self.slots = threading.BoundedSemaphore(max(1, workers))

    def sample_wav(
        self, text: str, voice: VoiceStyle, language: Language, *, max_new_tokens: int,
        transform: dict[str, Any] | None = None,
    ) -> bytes:
        """Speak ``text`` whole as a WAV, or fail if it would exceed the token cap.

        The cap is checked while synthesizing, so an over-long text stops early
        instead of costing its full synthesis; it is never cut short silently.
        """
        limit_s = max_new_tokens * SECONDS_PER_TOKEN
        parts: list[np.ndarray] = []
        spoken_s = 0.0
        with self.slots:
            chunks = self.engine.synthesize(text, voice, language)
            if transform:  # the voice's transform, exactly as every speech path applies it
                chunks = transformed(chunks, transform)
            try:
                for chunk in chunks:
                    parts.append(chunk.samples)
                    spoken_s += chunk.duration_s
                    if spoken_s > limit_s:
                        raise ValidationError(
                            f"The sample text takes more than {limit_s:.1f} s to speak, "
                            f"the most that max_new_tokens={max_new_tokens} allows "
                            f"(one token is {SECONDS_PER_TOKEN * 1000:.0f} ms). "
                            "Shorten the text or raise max_new_tokens.",
                            pointer="/max_new_tokens",
                        )
            finally:
                chunks.close()  # type: ignore[attr-defined]
        if not parts:
            raise ValidationError("The text has nothing to speak", pointer="/text")
        return encode_wav(np.concatenate(parts), self.engine.sample_rate)
