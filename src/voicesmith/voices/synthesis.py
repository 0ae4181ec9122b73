"""Where engine passes run (bounded, fair, yielding to request handling), and design samples."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np

from voicesmith.audio.wav import encode_wav
from voicesmith.engine.base import SpeechEngine, VoiceStyle
from voicesmith.engine.languages import Language
from voicesmith.engine.priority import lower_thread_priority
from voicesmith.errors import AtCapacityError, ValidationError
from voicesmith.voices.speaking import transformed

# A design's `max_new_tokens` counts Qwen3-TTS codec tokens, which run at 12.5 Hz:
# one token is 80 ms of audio. We keep that meaning so the cap means the same
# duration here as on Telnyx.
SECONDS_PER_TOKEN = 0.08
T = TypeVar("T")


class SynthesisPool:
    """Runs engine work on ``workers`` demoted threads (``engine.priority``), first come first served.

    Streams submit one piece at a time, so concurrent streams take turns piece
    by piece: each keeps pace before any one gets ahead. The threads yield to
    request handling (SCHED_BATCH, plus ``nice`` if set), so the event loop
    answering other requests gets a core as soon as it needs one.
    """

    def __init__(self, workers: int, *, nice: int = 0) -> None:
        self.workers = max(1, workers)
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="synthesis",
                                            initializer=lower_thread_priority, initargs=(nice,))

    def run(self, work: Callable[[], T]) -> T:
        """``work()`` on a synthesis thread, once one is free; its exception re-raised here."""
        return self._executor.submit(work).result()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


class SynthesisSlots:
    """How many syntheses (streams, samples) this process runs at once; past that, 429.

    The pool interleaves streams piece by piece, so every admitted stream slows
    down as more arrive; beyond the count that stays real-time, a new request
    would only wait, and with several replicas behind a load balancer it is
    better served by another one (or by a retry after ``Retry-After``).
    ``limit`` 0 admits everything (the pool's queue absorbs any burst).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._active = 0
        self._lock = threading.Lock()

    @property
    def active(self) -> int:
        return self._active

    def acquire(self) -> None:
        with self._lock:
            if self.limit and self._active >= self.limit:
                raise AtCapacityError(
                    f"This server is already making {self.limit} speech streams or samples, "
                    "as many as it keeps real-time; try again in a moment.")
            self._active += 1

    def release(self) -> None:
        with self._lock:
            self._active = max(0, self._active - 1)

    @contextmanager
    def held(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


class SampleSynthesizer:
    """Synthesizes design samples in the synthesis pool (shared with speech)."""

    def __init__(self, engine: SpeechEngine, pool: SynthesisPool,
                 slots: SynthesisSlots | None = None) -> None:
        self.engine = engine
        self.pool = pool
        self.slots = slots or SynthesisSlots(0)

    def sample_wav(
        self, text: str, voice: VoiceStyle, language: Language, *, max_new_tokens: int,
        transform: dict[str, Any] | None = None,
    ) -> bytes:
        """Speak ``text`` whole as a WAV, or fail if it would exceed the token cap.

        The cap is checked while synthesizing, so an over-long text stops early
        instead of costing its full synthesis; it is never cut short silently.
        """
        with self.slots.held():
            return self.pool.run(lambda: self._sample_wav(text, voice, language, max_new_tokens,
                                                          transform))

    def _sample_wav(self, text: str, voice: VoiceStyle, language: Language,
                    max_new_tokens: int, transform: dict[str, Any] | None) -> bytes:
        limit_s = max_new_tokens * SECONDS_PER_TOKEN
        parts: list[np.ndarray] = []
        spoken_s = 0.0
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
