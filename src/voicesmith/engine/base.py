"""The engine interface: text and a voice in, a stream of typed audio chunks out.

Nothing here knows about HTTP, the database or prompts. A ``VoiceStyle`` is the
whole of what makes a voice sound as it does, so storing it (``to_bytes``) and
loading it back gives the same voice, byte for byte, forever.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from voicesmith.engine.languages import Language

SAMPLE_RATE = 24_000
# The speed range the model accepts (kokoro-onnx's); beyond it its output degrades
# fast, so speech outside it is completed by a tempo change (voices.speaking).
ENGINE_MIN_SPEED, ENGINE_MAX_SPEED = 0.5, 2.0
STYLE_DIM = 256
# Kokoro feeds a style row's first half to its decoder (the sound of the voice,
# its timbre) and the second half to its prosody predictor (durations, F0, energy).
TIMBRE_DIMS = 128
# Kokoro voice packs hold one style row per input length in tokens (1..510).
PACK_ROWS = 510
MAX_TOKENS = 510
# One frame of the model's alignment (a token lasts a whole number of them): 25 ms.
SAMPLES_PER_FRAME = 600
_MODEL_DTYPES: Mapping[str, Any] = {"tokens": np.int64, "style": np.float32,
                                     "speed": np.float32}


def model_feeds(tokens: Sequence[int], pack: NDArray[np.float32], speed: float,
                dtypes: Mapping[str, Any] = _MODEL_DTYPES) -> dict[str, NDArray[Any]]:
    """The Kokoro model's inputs for ``tokens`` (ids, without pads) spoken with ``pack``.

    The pad token 0 goes at both ends, and row n - 1 of the pack styles an
    input of n tokens. ``dtypes``: the model's own input types, where it says.
    """
    return {
        "tokens": np.array([[0, *tokens, 0]], dtype=dtypes["tokens"]),
        "style": pack[min(len(tokens), PACK_ROWS) - 1][np.newaxis, :].astype(dtypes["style"]),
        "speed": np.array([speed], dtype=dtypes["speed"]),
    }


@dataclass(frozen=True)
class VoiceStyle:
    """A concrete voice: a Kokoro style pack and a speaking speed.

    ``pack`` has shape (510, 256), float32; row ``n - 1`` styles an input of
    ``n`` tokens, exactly like the stock voice packs. ``speed`` is Kokoro's
    speed input (1.0 = the voice's natural pace).
    """

    pack: NDArray[np.float32]
    speed: float = 1.0

    def __post_init__(self) -> None:
        if self.pack.shape != (PACK_ROWS, STYLE_DIM) or self.pack.dtype != np.float32:
            raise ValueError(
                f"a voice pack must be float32 {(PACK_ROWS, STYLE_DIM)}, "
                f"got {self.pack.dtype} {self.pack.shape}"
            )

    def to_bytes(self) -> bytes:
        """Serialize losslessly (npz: the pack and the speed)."""
        buf = io.BytesIO()
        np.savez(buf, pack=self.pack, meta=np.frombuffer(
            json.dumps({"speed": self.speed}).encode(), dtype=np.uint8))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> VoiceStyle:
        with np.load(io.BytesIO(data)) as npz:
            meta = json.loads(npz["meta"].tobytes().decode())
            return cls(pack=np.array(npz["pack"], dtype=np.float32), speed=float(meta["speed"]))


@dataclass(frozen=True)
class StockVoice:
    """One of the engine's built-in voices (e.g. ``af_heart``)."""

    name: str
    language: Language
    gender: str  # "female" | "male"
    pack: NDArray[np.float32] = field(repr=False)

    @property
    def style(self) -> VoiceStyle:
        return VoiceStyle(pack=self.pack)


@dataclass(frozen=True)
class AudioChunk:
    """Audio for one piece of the input text (a sentence or a clause).

    ``samples`` is float32 mono in [-1, 1] at ``sample_rate``. ``text`` is the
    part of the input this chunk speaks; ``index`` counts from 0 and
    ``is_last`` marks the final chunk of a synthesis.
    """

    samples: NDArray[np.float32]
    sample_rate: int
    text: str
    index: int
    is_last: bool

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def close_iterator(items: Iterator[object]) -> None:
    """Close an iterator if it can be closed (a generator of chunks: its engine work stops)."""
    close = getattr(items, "close", None)
    if close is not None:
        close()


class SpeechEngine(Protocol):
    """What the rest of the program needs of a TTS engine."""

    sample_rate: int

    @property
    def stock_voices(self) -> Mapping[str, StockVoice]: ...

    def synthesize(
        self, text: str, voice: VoiceStyle, language: Language, *, quick_start: bool = False
    ) -> Iterator[AudioChunk]:
        """Speak ``text`` (any length: it is split, never truncated) chunk by chunk.

        ``quick_start`` makes the first chunk short (its first clause or a few
        words) so that a listener hears audio sooner; the words are the same.

        A caller that stops iterating (``close()`` on the generator) stops the
        work: no further chunk is synthesized. Raises ``SynthesisError`` if the
        backend fails and ``ValidationError`` if the text has nothing speakable.
        """
        ...
