"""MiniMax's PCM pieces become the engine's audio chunks."""

from __future__ import annotations

import numpy as np

from voicesmith.engine.base import SAMPLE_RATE
from voicesmith.providers.minimax.provider import _chunks


def pcm(values: list[int]) -> bytes:
    return np.asarray(values, dtype="<i2").tobytes()


def test_pieces_split_inside_a_sample_are_joined_and_the_last_is_marked() -> None:
    data = pcm(list(range(-500, 500)))
    pieces = [data[:7], data[7:1001], data[1001:]]  # odd cuts, inside samples
    chunks = list(_chunks(iter(pieces), "hello", 1.0))
    joined = np.concatenate([c.samples for c in chunks])
    assert np.allclose(joined * 32768, np.arange(-500, 500))
    assert [c.is_last for c in chunks] == [False] * (len(chunks) - 1) + [True]
    assert chunks[0].text == "hello" and all(c.sample_rate == SAMPLE_RATE for c in chunks)


def test_long_audio_is_cut_into_half_second_chunks() -> None:
    data = pcm([0] * SAMPLE_RATE * 2)  # two seconds in one piece
    chunks = list(_chunks(iter([data]), "t", 1.0))
    assert len(chunks) == 4 and all(c.samples.size == SAMPLE_RATE // 2 for c in chunks)


def test_no_audio_still_ends_with_a_last_chunk() -> None:
    chunks = list(_chunks(iter([]), "t", 1.0))
    assert len(chunks) == 1 and chunks[0].is_last and chunks[0].samples.size == 0
