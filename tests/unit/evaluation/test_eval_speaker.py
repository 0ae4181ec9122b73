"""Speaker similarity with resemblyzer (the ``eval`` extra: skipped without it)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

pytest.importorskip("torch", reason="speaker similarity needs the eval extra (torch)")
pytest.importorskip("resemblyzer", reason="speaker similarity needs the eval extra (resemblyzer)")

from voicesmith.evaluation.measures import cosine, speaker_embedding, speaker_similarity

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::UserWarning")

Clip = tuple[NDArray[np.float32], int]
# Two utterances each of a male (1688) and a female (3331) speaker, one each of
# three others (2 male, 1 female).
SAME = [("1688-142285-0002", "1688-142285-0004"), ("3331-159605-0001", "3331-159605-0006")]
OTHERS = ["2033-164914-0005", "2414-128291-0000", "1998-15444-0007"]


@pytest.fixture(scope="module")
def embeddings(clip: Callable[[str], Clip]) -> dict[str, NDArray[np.float32]]:
    """Every fixture utterance embedded once (the encoder loads once per process)."""
    names = [u for pair in SAME for u in pair] + OTHERS
    return {u: speaker_embedding(*clip(u)) for u in names}


def test_embedding_is_unit_length(embeddings: dict[str, NDArray[np.float32]]) -> None:
    for vector in embeddings.values():
        assert vector.shape == (256,)
        assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


def test_same_speaker_is_more_similar_than_different_speakers(
    embeddings: dict[str, NDArray[np.float32]],
) -> None:
    speaker = {u: u.split("-")[0] for u in embeddings}
    same: list[float] = []
    different: list[float] = []
    for a, b in itertools.combinations(embeddings, 2):
        (same if speaker[a] == speaker[b] else different).append(
            cosine(embeddings[a], embeddings[b])
        )
    # Measured: same 0.87 (1688) and 0.76 (3331); different 0.40-0.62.
    assert min(same) > 0.7, same
    assert max(different) < 0.7, different
    assert min(same) - max(different) > 0.08
    # And pair by pair: each utterance is closest to its own speaker's other one.
    for a, b in SAME:
        own = cosine(embeddings[a], embeddings[b])
        for other in OTHERS:
            assert own > cosine(embeddings[a], embeddings[other]), (a, other)


def test_speaker_similarity_end_to_end(clip: Callable[[str], Clip]) -> None:
    a, sr_a = clip("1688-142285-0002")
    b, sr_b = clip("1688-142285-0004")
    c, sr_c = clip("2033-164914-0005")
    assert speaker_similarity(a, sr_a, b, sr_b) > speaker_similarity(a, sr_a, c, sr_c)
    # The same utterance at another rate and level stays close to 1 (measured
    # 0.96: resemblyzer raises quiet input to -30 dBFS before its VAD, so
    # level moves the embedding slightly; the resampling itself does not).
    import soxr

    a24 = 0.5 * soxr.resample(a, sr_a, 24_000)
    assert speaker_similarity(a, sr_a, a24, 24_000) > 0.9


def test_too_little_speech_raises(clip: Callable[[str], Clip]) -> None:
    with pytest.raises(ValueError, match="speech"):
        speaker_embedding(np.zeros(8_000, dtype=np.float32), 16_000)
    samples, rate = clip("1688-142285-0002")
    with pytest.raises(ValueError, match="speech"):
        speaker_embedding(samples[rate // 2 : rate], rate)  # half a second
