"""Run the upload-cloning suite and print its table.

    .venv/bin/python scripts/upload_eval.py [--data DIR] [--out DIR] [--speaker ID ...]

Needs the evaluation extra (resemblyzer, torch) and the engine's assets.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from voicesmith.config import Settings
from voicesmith.engine.loader import load_engine
from voicesmith.evaluation.suites.upload import render_markdown, run_upload_suite

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/librispeech/test-other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--speaker", action="append", default=None)
    args = parser.parse_args()
    # resemblyzer and pyworld import deprecated APIs; their warnings are noise here.
    warnings.simplefilter("ignore")
    engine = load_engine(Settings())
    start = time.perf_counter()
    result = run_upload_suite(engine, data_dir=args.data, out=args.out, speakers=args.speaker)
    print(render_markdown(result))
    print(f"suite wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
