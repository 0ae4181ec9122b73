"""Speaker similarity with resemblyzer's GE2E speaker encoder (weights bundled).

The encoder is capture's own (``cloning.speaker_encoder``): evaluation
measures clones with the same instrument that fits them, and says so in the
upload suite's caveats.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from voicesmith.cloning.speaker_encoder import SPEAKER_SAMPLE_RATE, speaker_embedding

__all__ = ["SPEAKER_SAMPLE_RATE", "cosine", "speaker_embedding", "speaker_similarity"]


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
