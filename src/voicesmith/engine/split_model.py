"""Kokoro as two models: a front (text -> durations, alignment, pitch, energy) and a decoder.

Why: first audio. Kokoro makes a piece's audio in one pass whose cost grows
with the audio's length, most of it in the decoder (the iSTFTNet vocoder).
The front is cheap (~25 ms for a sentence) and fixes the whole sentence's
prosody: every phoneme's duration, the pitch and energy contours. With it
split off, the first piece of a stream can have its first words decoded
alone (``decode(..., frames=n)``) and played while the whole sentence is
decoded, with the sentence's own prosody rather than a short phrase's.

The split is a cut of the same graph at the decoder's inputs, so
front-then-decoder gives the whole model's output byte for byte (checked at
install, ``fast_model``). Only a prefix decode differs from the whole: the
decoder normalizes each channel over the frames it is given (AdaIN), so the
first words come out slightly differently (README, "Engine tuning").

The tensor names are those of the pinned kokoro-v1.0 export; a model
without them is simply not split.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

# The decoder's inputs in the pinned export: the aligned text features
# (asr, [1, 512, frames]), pitch and energy (F0, N, [1, 2 * frames]); the
# front also gives each token's duration in frames.
ASR = "/encoder/MatMul_1_output_0"
F0 = "/encoder/Reshape_output_0"
ENERGY = "/encoder/Reshape_1_output_0"
DURATIONS = "/encoder/Clip_output_0"
_CURVE_STEPS = 2  # F0 and energy have two values per frame


def split_model(source: Path, front: Path, decoder: Path) -> None:
    """Write ``source``'s front and decoder; onnx's errors (a model without these tensors) pass."""
    import onnx
    from onnx.utils import Extractor

    model = onnx.load(str(source))
    extractor = Extractor(model)
    parts = [(front, extractor.extract_model(["tokens", "style", "speed"],
                                             [ASR, F0, ENERGY, DURATIONS])),
             (decoder, extractor.extract_model([ASR, F0, ENERGY, "style"], ["audio"]))]
    for path, part in parts:
        # The vocabulary and config travel in the metadata (kokoro-onnx reads it).
        part.metadata_props.extend(model.metadata_props)
        onnx.save(part, str(path))


@dataclass(frozen=True)
class Prosody:
    """The front's output for one piece: what the decoder needs, and each token's frames."""

    asr: NDArray[np.float32]
    f0: NDArray[np.float32]
    energy: NDArray[np.float32]
    durations: NDArray[np.int64]  # frames per token, the two pads included

    @property
    def frames(self) -> int:
        return int(self.asr.shape[2])


class SplitKokoro:
    """The front and decoder sessions (both thread-safe, like the whole model's)."""

    def __init__(self, front: ort.InferenceSession, decoder: ort.InferenceSession) -> None:
        self.front_session, self._decoder = front, decoder
        # How fast this machine decodes now (a moving average, seconds per frame,
        # measured by ``warm_up``): a decoded lead is made long enough to outlast
        # the whole piece's decode, also while other streams run.
        self.seconds_per_frame = self._last_rate = 0.01

    def warm_up(self, feeds: dict[str, NDArray[Any]]) -> None:
        """Speak ``feeds`` twice: onnxruntime's first run allocates, and the decode rate is
        measured before the first stream asks for a lead."""
        for _ in range(2):
            self.decode(self.prosody(feeds), feeds["style"])
        self.seconds_per_frame = self._last_rate

    def prosody(self, feeds: dict[str, NDArray[Any]]) -> Prosody:
        asr, f0, energy, durations = self.front_session.run([ASR, F0, ENERGY, DURATIONS], feeds)
        return Prosody(asr, f0, energy, np.asarray(durations).reshape(-1).astype(np.int64))

    def decode(self, prosody: Prosody, style: NDArray[np.float32],
               frames: int | None = None) -> NDArray[np.float32]:
        """Audio for the first ``frames`` frames (all of them by default)."""
        n = prosody.frames if frames is None else min(frames, prosody.frames)
        started = time.perf_counter()
        audio = self._decoder.run(["audio"], {
            ASR: prosody.asr[:, :, :n], F0: prosody.f0[:, :_CURVE_STEPS * n],
            ENERGY: prosody.energy[:, :_CURVE_STEPS * n], "style": style})[0]
        self._last_rate = (time.perf_counter() - started) / max(n, 1)
        # A race between threads loses one sample of a moving average: harmless.
        self.seconds_per_frame += 0.3 * (self._last_rate - self.seconds_per_frame)
        return np.asarray(audio, dtype=np.float32).reshape(-1)
