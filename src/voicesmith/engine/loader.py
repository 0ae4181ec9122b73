"""Building the engine from settings. The app calls this once at start and injects it."""

from __future__ import annotations

from voicesmith.config import Settings
from voicesmith.engine.assets import Progress, install_assets, installed_assets, load_stock_voices
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.session import engine_tuning


def load_engine(settings: Settings, *, progress: Progress | None = None) -> KokoroEngine:
    """A new engine for ``settings``, installing the assets first if they are missing."""
    paths = installed_assets(settings) or install_assets(settings, progress=progress)
    return KokoroEngine(
        paths.engine_model,
        load_stock_voices(paths.voices_dir),
        model_sha256=paths.model_sha256,
        split=paths.split,
        tuning=engine_tuning(intra_op_threads=settings.onnx_threads,
                             spinning=settings.onnx_spinning),
    )
