"""Finding the real engine assets for the few tests that need them.

CI installs them with ``voicesmith assets install`` into the default cache,
so that is looked at first; a developer machine may instead have them under
``/tmp/assets`` (the model file and an extracted kokoro-js package).
"""

from __future__ import annotations

from pathlib import Path

from voicesmith.config import Settings
from voicesmith.engine.assets import AssetPaths, installed_assets
from voicesmith.errors import AssetsError

_DEV_MODEL = Path("/tmp/assets/kokoro-v1.0.int8.onnx")
_DEV_VOICES = Path("/tmp/assets/package/voices")


def find_real_assets() -> AssetPaths | None:
    """The real model and voice packs if this machine has them, else None."""
    try:
        found = installed_assets(Settings())
    except AssetsError:
        found = None
    if found is not None:
        return found
    if _DEV_MODEL.is_file() and _DEV_VOICES.is_dir():
        return AssetPaths(model=_DEV_MODEL, voices_dir=_DEV_VOICES)
    return None
