"""Speaker similarity with resemblyzer's GE2E speaker encoder (weights bundled).

Install gotchas (see the eval extra): resemblyzer 0.1.4 imports webrtcvad,
which imports ``pkg_resources`` (gone in setuptools 81), and it needs a torch
that has a wheel here (2.13.0 CPU).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.evaluation._common import Lazy, require, resample

__all__ = ["SPEAKER_SAMPLE_RATE", "cosine", "speaker_embedding", "speaker_similarity"]

# resemblyzer's encoder and its VAD work at 16 kHz.
SPEAKER_SAMPLE_RATE = 16_000
# The encoder embeds 1.6 s windows; below ~1 s of speech an embedding is noise.
_MIN_SPEECH_S = 1.0


def _load_encoder() -> Any:
    require("torch", "torch==2.13.0", purpose="speaker similarity")
    resemblyzer = require("resemblyzer", "resemblyzer==0.1.4", purpose="speaker similarity")
    return resemblyzer.VoiceEncoder("cpu", verbose=False)


_ENCODER: Lazy[Any] = Lazy(_load_encoder)


def speaker_embedding(samples: ArrayLike, sample_rate: int, *,
                      trim: bool = True) -> NDArray[np.float32]:
    """256-d unit-length speaker embedding of an utterance.

    resemblyzer's own preprocessing runs first: loudness normalized (raise
    only) and, with ``trim``, long silences cut with webrtcvad, so pauses and
    levels do not shift the embedding. ``trim=False`` is for audio that is
    speech already (a caller's own VAD trimmed it), where webrtcvad could
    still keep under a second. Resampling is done with soxr here instead of
    through librosa inside resemblyzer, which is slower and adds nothing.
    """
    audio = resample(samples, sample_rate, SPEAKER_SAMPLE_RATE)
    if float(np.max(np.abs(audio))) < 1e-6:
        # Digital silence: resemblyzer would divide by zero normalizing it.
        raise ValueError("no speech: the audio is silent")
    encoder = _ENCODER.get()
    resemblyzer = require("resemblyzer", "resemblyzer==0.1.4", purpose="speaker similarity")
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


def cosine(a: ArrayLike, b: ArrayLike) -> float:
    """Cosine similarity of two embeddings (normalized here, to be safe)."""
    va = np.asarray(a, dtype=np.float64).ravel()
    vb = np.asarray(b, dtype=np.float64).ravel()
    denom = float(np.linalg.norm(va) * np.linalg.norm(vb))
    if denom == 0.0:
        raise ValueError("cannot compare a zero embedding")
    return float(np.dot(va, vb) / denom)


def speaker_similarity(a: ArrayLike, sr_a: int, b: ArrayLike, sr_b: int) -> float:
    """Cosine similarity of the speaker embeddings of two utterances.

    Rough scale on human read speech: same speaker 0.85-0.95, different
    speakers of the same gender 0.55-0.75, opposite gender lower. resemblyzer
    embeddings are non-negative (ReLU output), so values sit in [0, 1].
    """
    return cosine(speaker_embedding(a, sr_a), speaker_embedding(b, sr_b))
