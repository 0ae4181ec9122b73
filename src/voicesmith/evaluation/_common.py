"""Shared plumbing for the measures: lazy optional imports and audio coercion.

Every instrument lives in an optional extra, so nothing heavy is imported at
module level anywhere in ``voicesmith.evaluation``: the server imports this
package's light parts (or nothing at all) and must not pay for torch, CTranslate2
or Praat.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import as_mono_float
from voicesmith.audio.resample import resample as audio_resample
from voicesmith.optional_imports import import_optional

EVAL_EXTRA_HINT = "pip install -e .[eval]"


def require(module: str, package: str, *, purpose: str) -> ModuleType:
    """Import ``module`` or raise an ImportError that says how to get it.

    ``package`` is the distribution name to install (it often differs from the
    module name, e.g. praat-parselmouth -> parselmouth).
    """
    return import_optional(module, f"{purpose} needs the '{package}' package, which is part "
                                   f"of the evaluation extra: {EVAL_EXTRA_HINT}")


def check_rate(sample_rate: int) -> int:
    rate = int(sample_rate)
    if rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    return rate


def resample(samples: ArrayLike, sample_rate: int, target_rate: int) -> NDArray[np.float32]:
    """Mono float32 audio at ``target_rate`` (``audio.resample``: soxr, high quality)."""
    return audio_resample(as_mono_float(samples), check_rate(sample_rate), target_rate)


