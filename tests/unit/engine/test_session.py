"""onnxruntime settings change how fast the engine runs, never what it says."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import onnx
import pytest

from voicesmith.bench.engine_options import CANDIDATES
from voicesmith.engine.base import StockVoice
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.engine.session import SessionTuning

TEXT = "Settings change speed. Never the words."
TUNINGS = {name: c.tuning for name, c in CANDIDATES.items() if not c.raw and c.model == "int8"}


def _speak(engine: KokoroEngine, voice: StockVoice) -> np.ndarray:
    return np.concatenate([c.samples for c in
                           engine.synthesize(TEXT, voice.style, AMERICAN_ENGLISH)])


@pytest.mark.parametrize("name", sorted(TUNINGS))
def test_every_measured_setting_speaks_the_same_audio(
        name: str, tiny_model: Path, fake_voices: dict[str, StockVoice]) -> None:
    voice = fake_voices["af_test"]
    plain = _speak(KokoroEngine(tiny_model, fake_voices, intra_op_threads=1), voice)
    tuned = _speak(KokoroEngine(tiny_model, fake_voices, tuning=TUNINGS[name]), voice)
    np.testing.assert_array_equal(tuned, plain)


def test_a_saved_optimized_model_loads_without_the_optimizer_and_speaks_the_same(
        tmp_path: Path, tiny_model: Path, fake_voices: dict[str, StockVoice]) -> None:
    saved = tmp_path / "optimized.onnx"
    tuning = SessionTuning(intra_op_threads=1)
    original = KokoroEngine(tiny_model, fake_voices, tuning=replace(tuning, save_optimized_to=saved))
    assert saved.is_file()
    onnx.checker.check_model(str(saved))
    reloaded = KokoroEngine(saved, fake_voices, tuning=replace(tuning, optimization="disabled"))
    voice = fake_voices["am_test"]
    np.testing.assert_array_equal(_speak(reloaded, voice), _speak(original, voice))
