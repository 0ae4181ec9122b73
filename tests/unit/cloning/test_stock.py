"""The stock-embedding index: cache keys that tell models apart, and the capture embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.unit.cloning.test_capture import _FakeEngine
from voicesmith.cloning.stock import StockIndex, engine_fingerprint


def _embed_counting(calls: list[int]):  # type: ignore[no-untyped-def]
    def embed(samples, rate):  # type: ignore[no-untyped-def]
        calls.append(1)
        return np.ones(256, np.float32) / 16.0
    return embed


def test_cache_is_reused_within_a_namespace_and_kept_apart_across(tmp_path: Path) -> None:
    engine = _FakeEngine()
    voice = engine.stock_voices["am_a"]
    cache = tmp_path / "stock.json"
    calls: list[int] = []
    StockIndex(engine, embed=_embed_counting(calls), cache_path=cache, namespace="m1").embedding(voice)
    StockIndex(engine, embed=_embed_counting(calls), cache_path=cache, namespace="m1").embedding(voice)
    assert len(calls) == 1  # the second index read the file
    StockIndex(engine, embed=_embed_counting(calls), cache_path=cache, namespace="m2").embedding(voice)
    assert len(calls) == 2  # another model: computed again, not reused


def test_engine_fingerprint_is_stable_and_short() -> None:
    engine = _FakeEngine()
    assert engine_fingerprint(engine) == engine_fingerprint(engine)
    assert len(engine_fingerprint(engine)) == 12


def test_capture_embedder_accepts_engine_audio_that_resemblyzer_would_trim_away() -> None:
    pytest.importorskip("resemblyzer")
    from voicesmith.cloning.speaker_encoder import default_embedder

    embed = default_embedder()
    t = np.arange(3 * 24_000) / 24_000
    buzz = (0.3 * np.sign(np.sin(2 * np.pi * 150 * t))).astype(np.float32)
    emb = embed(buzz, 24_000)
    assert emb.shape == (256,) and abs(float(np.linalg.norm(emb)) - 1.0) < 1e-4
    with pytest.raises(ValueError):
        embed(np.zeros(3 * 24_000, np.float32), 24_000)
