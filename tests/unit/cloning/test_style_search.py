"""The style search on a stand-in engine whose "speaker" is its style vector."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from numpy.typing import NDArray

from voicesmith.cloning import style_search
from voicesmith.cloning.style_search import (
    MAX_PROSODY_L1,
    MAX_TIMBRE_L1,
    Blend,
    fit_blend,
    search_style,
)
from voicesmith.cloning.voice_bank import VoiceBank
from voicesmith.engine.base import SAMPLE_RATE, AudioChunk, StockVoice, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH, Language

NAMES = tuple(f"am_{i}" for i in range(6))


class _StyleEngine:
    """Speaks its style's first row as the audio, so an embedding can read the voice back."""

    sample_rate = SAMPLE_RATE

    def __init__(self) -> None:
        rng = np.random.default_rng(5)
        self.stock_voices = {n: StockVoice(n, AMERICAN_ENGLISH, "male", np.repeat(
            np.abs(rng.standard_normal((1, 256))).astype(np.float32), 510, axis=0)) for n in NAMES}
        self.calls = 0

    def synthesize(self, text: str, voice: VoiceStyle, language: Language) -> Iterator[AudioChunk]:
        self.calls += 1
        yield AudioChunk(voice.pack[0].copy(), SAMPLE_RATE, text, 0, True)


def _embed(audio: NDArray[np.float32], rate: int) -> NDArray[np.float32]:
    return (audio / np.linalg.norm(audio)).astype(np.float32)


def _bank(engine: _StyleEngine) -> VoiceBank:
    emb = np.stack([_embed(v.pack[0], SAMPLE_RATE) for v in engine.stock_voices.values()])
    return VoiceBank(basis=NAMES, weights=np.eye(len(NAMES), dtype=np.float32), embeddings=emb,
                     genders=("male",) * len(NAMES), key="t")


def test_the_fit_reaches_a_speaker_between_the_bank_voices() -> None:
    engine = _StyleEngine()
    bank = _bank(engine)
    voices = engine.stock_voices
    speaker = 0.6 * voices["am_1"].pack[0] + 0.4 * voices["am_4"].pack[0]
    ref = _embed(speaker, SAMPLE_RATE).astype(np.float64)
    match = search_style(bank, np.arange(len(NAMES)), ref, engine, _embed,  # type: ignore[arg-type]
                         ("probe", AMERICAN_ENGLISH))
    nearest = float(np.max(bank.embeddings @ ref))
    assert match.report["chosen"] == "fit" and match.similarity > max(nearest, 0.99)
    assert engine.calls == 1  # the fit won: the nearest voice was never synthesized
    assert match.style.pack.shape == (510, 256)


def test_one_synthesis_whatever_the_nearest_bank_voice_scores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _StyleEngine()
    bank = _bank(engine)
    ref = (0.9 * bank.embeddings[2] + 0.1 * bank.embeddings[3]).astype(np.float64)
    ref /= np.linalg.norm(ref)
    # a fit that lands on the voice least like the speaker: still the only synthesis
    far = int(np.argmin(bank.embeddings @ ref))
    monkeypatch.setattr(style_search, "fit_blend", lambda *_: Blend.single(np.eye(len(NAMES))[far]))
    match = search_style(bank, np.arange(len(NAMES)), ref, engine, _embed,  # type: ignore[arg-type]
                         ("probe", AMERICAN_ENGLISH))
    assert engine.calls == 1 and match.report["chosen"] == "fit"
    assert match.report["nearest"]["weights"] == "+1.00*am_2"
    assert match.report["nearest"]["similarity"] > match.similarity


def test_too_few_voices_to_blend_speak_as_the_nearest() -> None:
    engine = _StyleEngine()
    bank = _bank(engine)
    ref = bank.embeddings[4].astype(np.float64)
    match = search_style(bank, np.array([1, 4]), ref, engine, _embed,  # type: ignore[arg-type]
                         ("probe", AMERICAN_ENGLISH))
    assert match.report["chosen"] == "nearest" and match.label == "bank +1.00*am_4"
    assert match.similarity == pytest.approx(1.0, abs=1e-6) and engine.calls == 1


def test_each_half_sums_to_one_and_keeps_within_its_magnitude_cap() -> None:
    engine = _StyleEngine()
    bank = _bank(engine)
    rng = np.random.default_rng(9)
    for _ in range(20):
        ref = rng.standard_normal(256)
        ref /= np.linalg.norm(ref)
        blend = fit_blend(bank, np.arange(len(NAMES)), ref)
        assert blend is not None
        for weights, cap in ((blend.timbre, MAX_TIMBRE_L1), (blend.prosody, MAX_PROSODY_L1)):
            assert abs(weights.sum() - 1.0) < 1e-6
            assert np.abs(weights).sum() <= cap + 1e-6


def test_a_speaker_far_beyond_the_voices_takes_each_half_to_its_cap() -> None:
    engine = _StyleEngine()
    bank = _bank(engine)
    # far out on the line from am_4 through am_1 (in embedding space, where the fit works)
    ref = 8.0 * bank.embeddings[1].astype(np.float64) - 7.0 * bank.embeddings[4]
    blend = fit_blend(bank, np.arange(len(NAMES)), ref)
    assert blend is not None
    assert np.abs(blend.timbre).sum() == pytest.approx(MAX_TIMBRE_L1)
    assert np.abs(blend.prosody).sum() == pytest.approx(MAX_PROSODY_L1)
    # both on the line from the nearest voice toward the fit: same direction, less of it
    assert blend.timbre[1] > blend.prosody[1] > 1.0 and blend.timbre[4] < blend.prosody[4] < 0.0


def test_a_split_blend_speaks_each_half_from_its_own_weights() -> None:
    engine = _StyleEngine()
    bank = _bank(engine)
    voices = engine.stock_voices
    blend = Blend(timbre=np.eye(len(NAMES))[1], prosody=np.eye(len(NAMES))[4])
    pack = blend.style(bank, voices).pack
    assert np.array_equal(pack[:, :128], voices["am_1"].pack[:, :128])
    assert np.array_equal(pack[:, 128:], voices["am_4"].pack[:, 128:])
    assert blend.describe(bank) == "timbre +1.00*am_1; prosody +1.00*am_4"
    same = Blend.single(np.eye(len(NAMES))[2])
    assert np.array_equal(same.style(bank, voices).pack, voices["am_2"].pack)
    assert same.describe(bank) == "+1.00*am_2"
