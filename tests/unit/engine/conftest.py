"""Fixtures for the engine tests: a tiny model, fake voice packs, engines."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.support.tiny_model import build_tiny_kokoro_model
from voicesmith.engine import assets
from voicesmith.engine.base import PACK_ROWS, STYLE_DIM, StockVoice
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import BY_PREFIX

FAKE_VOICE_NAMES = ("af_test", "am_test", "bf_test", "zf_test")


def fake_pack(seed: int) -> np.ndarray:
    """A pack whose rows differ, so the row the engine picks shows in the audio."""
    rng = np.random.default_rng(seed)
    return rng.normal(0, 0.01, (PACK_ROWS, STYLE_DIM)).astype(np.float32)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_kokoro_model(tmp_path_factory.mktemp("model") / "tiny.onnx")


@pytest.fixture(scope="session")
def fake_voices() -> dict[str, StockVoice]:
    return {
        name: StockVoice(name, BY_PREFIX[name[0]], "female" if name[1] == "f" else "male",
                         fake_pack(i))
        for i, name in enumerate(FAKE_VOICE_NAMES)
    }


@pytest.fixture(scope="session")
def tiny_engine(tiny_model: Path, fake_voices: dict[str, StockVoice]) -> KokoroEngine:
    return KokoroEngine(tiny_model, fake_voices, intra_op_threads=1)


@pytest.fixture()
def fake_voice_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A VOICES_DIR of fake packs, with the pins patched to accept exactly them."""
    folder = tmp_path / "voices"
    folder.mkdir()
    pins: dict[str, str] = {}
    for i, name in enumerate(FAKE_VOICE_NAMES):
        data = fake_pack(i).tobytes()
        (folder / f"{name}.bin").write_bytes(data)
        pins[f"{name}.bin"] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(assets, "_VOICE_PINS", pins)
    yield folder
