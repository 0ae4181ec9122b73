"""Naturalness: a predicted mean opinion score (MOS) from DistillMOS.

DistillMOS (a small CNN + transformer distilled from an XLS-R based quality
model; weights ship inside the package) rates speech 1..5 like listeners in a
MOS test. Measured on this setup: human read speech ~4.0-4.3, espeak ~2.1-2.5.
It rates signal quality and naturalness together, so noise and codec damage
lower it as well as robotic prosody.
"""

from __future__ import annotations

import contextlib
import io
import sys
import types
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from voicesmith.evaluation._common import require, resample
from voicesmith.optional_imports import Lazy

__all__ = ["MOS_SAMPLE_RATE", "naturalness_mos"]

MOS_SAMPLE_RATE = 16_000


def _import_distillmos() -> types.ModuleType:
    # distillmos/sqa.py does a top-level ``import torchaudio`` that only its
    # file-loading CLI helper uses. The torchaudio the resolver picks for it is
    # built against another torch and fails to load with torch 2.13 (OSError,
    # not ImportError), so a placeholder module stands in during the import
    # and is removed afterwards: the in-memory inference path never calls it.
    if "distillmos" in sys.modules:
        return sys.modules["distillmos"]
    previous = sys.modules.get("torchaudio")
    if previous is None:
        sys.modules["torchaudio"] = types.ModuleType("torchaudio")
    try:
        return require("distillmos", "distillmos", purpose="naturalness MOS")
    finally:
        if previous is None:
            sys.modules.pop("torchaudio", None)


def _load_model() -> Any:
    require("torch", "torch==2.13.0", purpose="naturalness MOS")
    distillmos = _import_distillmos()
    # The constructor prints a "weights loaded" line; keep stdout clean.
    with contextlib.redirect_stdout(io.StringIO()):
        model = distillmos.ConvTransformerSQAModel()
    model.eval()
    return model


_MODEL: Lazy[Any] = Lazy(_load_model)


def naturalness_mos(samples: ArrayLike, sample_rate: int) -> float:
    """Predicted MOS (1 = bad .. 5 = excellent) of the speech in ``samples``.

    Audio is resampled to 16 kHz; DistillMOS peak-normalizes internally and
    scores 7.68 s windows (shorter input is zero-padded, longer input is
    averaged over overlapping windows), so level and length barely matter.
    """
    audio = resample(samples, sample_rate, MOS_SAMPLE_RATE)
    model = _MODEL.get()
    torch = require("torch", "torch==2.13.0", purpose="naturalness MOS")
    with torch.inference_mode():
        score = model(torch.from_numpy(np.ascontiguousarray(audio))[None, :])
    return float(score.reshape(-1)[0].item())
