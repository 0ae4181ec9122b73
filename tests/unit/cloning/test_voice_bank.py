"""The voice bank: stored form, gating by gender and pool, rebuilding a voice, which file applies."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voicesmith.cloning.voice_bank import VoiceBank, bank_key, load_bank
from voicesmith.engine.base import StockVoice
from voicesmith.engine.languages import AMERICAN_ENGLISH

NAMES = ("af_a", "af_b", "am_c", "am_d", "jf_e")
GENDERS = ("female", "female", "male", "male", "female")


def _voices() -> dict[str, StockVoice]:
    rng = np.random.default_rng(3)
    return {n: StockVoice(n, AMERICAN_ENGLISH, g, rng.standard_normal((510, 256)).astype(np.float32))
            for n, g in zip(NAMES, GENDERS, strict=True)}


def _bank(key: str = "abc") -> VoiceBank:
    weights = np.vstack([np.eye(5), [[0.7, 0.3, 0, 0, 0], [0, 0, 1.6, -0.6, 0],
                                     [0.5, 0, 0, 0, 0.5]]]).astype(np.float32)
    rng = np.random.default_rng(4)
    emb = np.abs(rng.standard_normal((8, 256))).astype(np.float32)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    return VoiceBank(basis=NAMES, weights=weights, embeddings=emb,
                     genders=(*GENDERS, "female", "male", "female"), key=key)


def test_round_trip_keeps_everything_that_rebuilds_a_voice() -> None:
    bank = _bank()
    back = VoiceBank.from_bytes(bank.to_bytes())
    assert back.basis == bank.basis and back.genders == bank.genders
    assert back.key == "abc"
    np.testing.assert_allclose(back.weights, bank.weights, atol=1e-3)
    np.testing.assert_allclose(back.embeddings, bank.embeddings, atol=2e-3)
    np.testing.assert_allclose(np.linalg.norm(back.embeddings, axis=1), 1.0, atol=1e-6)


def test_select_keeps_the_gender_and_the_pool() -> None:
    bank = _bank()
    english = ["af_a", "af_b", "am_c", "am_d"]
    assert list(bank.select("female", english)) == [0, 1, 5]  # not jf_e, nor a blend with it
    assert list(bank.select("male", english)) == [2, 3, 6]
    assert list(bank.select("female", NAMES)) == [0, 1, 4, 5, 7]


def test_a_bank_voice_is_the_weighted_sum_of_its_stock_packs() -> None:
    voices, bank = _voices(), _bank()
    style = bank.style(bank.weights[6].astype(np.float64), voices)
    expected = 1.6 * voices["am_c"].pack.astype(np.float64) - 0.6 * voices["am_d"].pack
    np.testing.assert_allclose(style.pack, expected.astype(np.float32), rtol=1e-5, atol=1e-5)
    assert bank.describe(bank.weights[6].astype(np.float64)) == "+1.60*am_c -0.60*am_d"


def test_an_unreadable_or_missing_bank_is_none(tmp_path: Path) -> None:
    path = tmp_path / "bank.npz"
    path.write_bytes(_bank().to_bytes())
    assert load_bank(path) is not None
    assert load_bank(tmp_path / "missing.npz") is None
    path.write_bytes(b"not a bank")
    assert load_bank(path) is None


def test_the_bank_key_names_the_model_file_and_the_packs(tmp_path: Path) -> None:
    from tests.support.tiny_model import tiny_engine

    engine = tiny_engine(tmp_path, ("af_one", "am_two"))
    key = bank_key(engine, ["af_one", "am_two"])
    assert key is not None and key.startswith(engine.model_sha256[:16])
    assert bank_key(engine, ["am_two", "af_one"]) != key  # the basis order is part of it
    assert bank_key(engine, ["af_one", "zz_missing"]) is None
    (tmp_path / "other").mkdir()
    other = tiny_engine(tmp_path / "other", ("af_one", "am_two"))
    changed = {**other.stock_voices}
    voice = changed["af_one"]
    changed["af_one"] = StockVoice(voice.name, voice.language, voice.gender, voice.pack + 1.0)
    from voicesmith.engine.kokoro import KokoroEngine

    repacked = KokoroEngine(tmp_path / "other" / "tiny.onnx", changed)
    assert bank_key(repacked, ["af_one", "am_two"]) != key
    assert bank_key(_StandIn(), ["af_one"]) is None  # type: ignore[arg-type]  # no model file


class _StandIn:
    stock_voices = _voices()


def test_sizes_must_agree() -> None:
    bank = _bank()
    with pytest.raises(ValueError, match="disagree"):
        VoiceBank(basis=bank.basis, weights=bank.weights[:3], embeddings=bank.embeddings,
                  genders=bank.genders, key="x")


def test_the_shipped_bank_covers_every_stock_voice_and_both_genders() -> None:
    from voicesmith.cloning.voice_bank import BANK_PATH

    bank = VoiceBank.from_bytes(BANK_PATH.read_bytes())
    singles = np.count_nonzero(bank.weights, axis=1) == 1
    assert int(singles.sum()) == len(bank.basis) == 54
    for gender in ("female", "male"):
        blends = np.flatnonzero(~singles & (np.asarray(bank.genders) == gender))
        assert blends.size >= 200
        np.testing.assert_allclose(bank.weights[blends].sum(axis=1), 1.0, atol=5e-3)
        assert float(np.abs(bank.weights[blends]).sum(axis=1).max()) <= 2.51
        # a blend of one gender's English voices only (the capture gate relies on it)
        used = {bank.basis[i] for i in np.flatnonzero(np.any(bank.weights[blends] != 0, axis=0))}
        assert used and all(n[0] in "ab" and n[1] == gender[0] for n in used), used
