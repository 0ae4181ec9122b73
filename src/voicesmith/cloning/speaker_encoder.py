"""The speaker encoder capture searches with: resemblyzer's GE2E encoder (weights bundled).

Capture scores candidate voices by the cosine of their embeddings to the
recording's, so the encoder is part of cloning, not only of evaluation
(which measures with the same one, ``evaluation.speaker``). It lives in the
clone extra (resemblyzer on torch) and is imported on first use, so the
server's import stays light.

Install gotchas: resemblyzer 0.1.4 imports webrtcvad, which imports
``pkg_resources`` (gone in setuptools 81), and it needs a torch that has a
wheel here (2.13.0 CPU).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import as_mono_float
from voicesmith.audio.resample import resample
from voicesmith.optional_imports import Lazy, import_optional

__all__ = ["SPEAKER_SAMPLE_RATE", "Embedder", "default_embedder", "speaker_embedding"]

Embedder = Callable[[NDArray[np.float32], int], NDArray[np.float32]]

# resemblyzer's encoder and its VAD work at 16 kHz.
SPEAKER_SAMPLE_RATE = 16_000
# The encoder embeds 1.6 s windows; below ~1 s of speech an embedding is noise.
_MIN_SPEECH_S = 1.0
_INSTALL_HINT = 'pip install "voicesmith[clone]"'


def _import(module: str) -> ModuleType:
    return import_optional(module, f"the speaker encoder needs '{module}', part of the clone "
                                   f"extra: {_INSTALL_HINT}")


def _load_encoder() -> Any:
    _import("torch")
    return _import("resemblyzer").VoiceEncoder("cpu", verbose=False)


# loading takes a second and ~50 MB: once per process, even under concurrent first use
_ENCODER: Lazy[Any] = Lazy(_load_encoder)


def speaker_embedding(samples: ArrayLike, sample_rate: int, *,
                      trim: bool = True) -> NDArray[np.float32]:
    """256-d unit-length speaker embedding of an utterance (mono float audio).

    resemblyzer's own preprocessing runs first: loudness normalized (raise
    only) and, with ``trim``, long silences cut with webrtcvad, so pauses and
    levels do not shift the embedding. ``trim=False`` is for audio that is
    speech already (a caller's own VAD trimmed it), where webrtcvad could
    still keep under a second. Resampling is done with soxr here instead of
    through librosa inside resemblyzer, which is slower and adds nothing.
    """
    audio = np.asarray(resample(as_mono_float(samples), int(sample_rate), SPEAKER_SAMPLE_RATE),
                       dtype=np.float32)
    if float(np.max(np.abs(audio))) < 1e-6:
        # Digital silence: resemblyzer would divide by zero normalizing it.
        raise ValueError("no speech: the audio is silent")
    encoder = _ENCODER.get()
    resemblyzer = _import("resemblyzer")
    with np.errstate(divide="ignore", invalid="ignore"):
        wav = (resemblyzer.preprocess_wav(audio, source_sr=None) if trim
               else resemblyzer.normalize_volume(
                   audio, resemblyzer.hparams.audio_norm_target_dBFS, increase_only=True))
    if wav.size < _MIN_SPEECH_S * SPEAKER_SAMPLE_RATE:
        raise ValueError(
            f"only {wav.size / SPEAKER_SAMPLE_RATE:.2f} s of speech"
            f"{' after silence trimming' if trim else ''}; speaker embeddings need at "
            f"least {_MIN_SPEECH_S:.1f} s"
        )
    embedding = np.asarray(encoder.embed_utterance(wav), dtype=np.float32)
    return embedding / max(float(np.linalg.norm(embedding)), 1e-12)


def default_embedder() -> Embedder:
    """The encoder as capture uses it: one torch thread, engine audio never trimmed away.

    torch's thread pool and onnxruntime's (the engine) fight over the cores:
    measured on the 2-core machine, one embedding took 0.5-7 s with torch's
    default threads in a process that had run the engine, 0.11 s with one.
    The encoder is a small LSTM that gains nothing from more threads anyway.
    """
    _import("torch").set_num_threads(1)

    def embed(samples: NDArray[np.float32], sample_rate: int) -> NDArray[np.float32]:
        try:
            return speaker_embedding(samples, sample_rate)
        except ValueError:
            # resemblyzer's own VAD kept under 1 s. Capture only embeds audio
            # that is speech already (engine output, or an upload our VAD
            # trimmed), so embed it untrimmed rather than fail the capture.
            return speaker_embedding(samples, sample_rate, trim=False)

    return embed
