"""Peak memory of raw kokoro-onnx and of the engine, each in a fresh process.

Measured in separate processes because both share onnxruntime, espeak-ng and
numpy: in one process whichever loads second would look cheaper. Each child
loads its system and runs ``STREAMS`` concurrent syntheses (as the throughput
rows do), then prints its peak RSS in MB.

    python -m voicesmith.bench.memory raw|engine
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from voicesmith.bench.probes import own_peak_rss_mb
from voicesmith.bench.texts import THROUGHPUT_TEXT, VOICE

STREAMS = 4


def _child(which: str) -> float:
    from voicesmith.config import Settings
    from voicesmith.engine.assets import installed_assets, load_stock_voices

    paths = installed_assets(Settings())
    if paths is None:
        raise SystemExit("engine assets are not installed: run `voicesmith assets install`")
    if which == "raw":
        from voicesmith.bench.raw import raw_kokoro

        with (raw_kokoro(paths.model, load_stock_voices(paths.voices_dir), VOICE) as raw,
              ThreadPoolExecutor(STREAMS) as pool):
            list(pool.map(lambda _: raw.synthesize(THROUGHPUT_TEXT), range(STREAMS)))
    else:
        from voicesmith.bench.local import EngineSystem
        from voicesmith.engine.loader import load_engine

        system = EngineSystem.stock(load_engine(Settings()), VOICE)
        with ThreadPoolExecutor(STREAMS) as pool:
            list(pool.map(lambda _: system.synthesize(THROUGHPUT_TEXT), range(STREAMS)))
    return own_peak_rss_mb()


def peak_rss_mb(which: str, timeout: float = 300.0) -> float | str:
    """The child's peak RSS in MB, or why it could not be measured."""
    done = subprocess.run([sys.executable, "-m", "voicesmith.bench.memory", which],
                          capture_output=True, text=True, timeout=timeout, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return f"failed ({done.stderr.strip().splitlines()[-1:] or done.returncode})"
    return float(lines[-1])


if __name__ == "__main__":
    print(f"{_child(sys.argv[1]):.1f}")
