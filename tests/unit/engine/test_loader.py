"""load_engine: assets found (or installed), then an engine built on them."""

from __future__ import annotations

from pathlib import Path

from voicesmith.config import Settings
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.loader import load_engine


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
