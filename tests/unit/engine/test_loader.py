"""load_engine: assets found (or installed), then an engine built on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from voicesmith.config import Settings
from voicesmith.engine import kokoro, session
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.loader import load_engine
from voicesmith.engine.session import SessionTuning


def test_load_engine_installs_then_loads(tmp_path: Path, tiny_model: Path,
                                          fake_voice_dir: Path) -> None:
    s = Settings(cache_dir=tmp_path, model_path=tiny_model, voices_dir=fake_voice_dir)
    messages: list[str] = []
    engine = load_engine(s, progress=messages.append)
    assert isinstance(engine, KokoroEngine)
    assert set(engine.stock_voices) == {"af_test", "am_test", "bf_test", "zf_test"}
    assert messages  # the first call verified the voices
    messages.clear()
    load_engine(s, progress=messages.append)
    assert not messages  # the second found them installed


def test_the_operators_onnx_settings_reach_the_session(
        tmp_path: Path, tiny_model: Path, fake_voice_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[SessionTuning] = []

    def recording(model: Path, tuning: SessionTuning) -> Any:
        opened.append(tuning)
        return session.open_session(model, tuning)

    monkeypatch.setattr(kokoro, "open_session", recording)
    base = {"cache_dir": tmp_path, "model_path": tiny_model, "voices_dir": fake_voice_dir}
    load_engine(Settings(**base))
    load_engine(Settings(**base, onnx_threads=1, onnx_spinning=True))
    default, chosen = (t.options() for t in opened)
    assert default.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert default.intra_op_num_threads == 0 and not default.enable_mem_pattern
    assert chosen.get_session_config_entry("session.intra_op.allow_spinning") == "1"
    assert chosen.intra_op_num_threads == 1 and not chosen.enable_mem_pattern
