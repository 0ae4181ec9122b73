"""The real stock voices for the designer's tests (CI installs them first)."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from voicesmith.config import Settings
from voicesmith.engine.assets import installed_assets, load_stock_voices
from voicesmith.engine.base import StockVoice
from voicesmith.errors import AssetsError


@pytest.fixture(scope="session")
def stock_voices() -> Mapping[str, StockVoice]:
    try:
        paths = installed_assets(Settings())
    except AssetsError as exc:
        pytest.skip(f"engine assets unusable: {exc}")
    if paths is None:
        pytest.skip("engine assets not installed: run `voicesmith assets install`")
    return load_stock_voices(paths.voices_dir)
