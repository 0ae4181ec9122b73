"""Sampling parameters and how they pick the stock voices a design is blended from.

The names come from Telnyx's API, where they steer a language model; here
each one has a concrete meaning for a blend of stock voices (all measurable):

* ``temperature`` (0..2, default 0.9): how far the voice may wander from the
  trait target. 0 is the deterministic centre: no randomness at all. Above 0,
  (a) each candidate voice's logit gets ``temperature`` x Gumbel noise, so at
  1.0 with ``top_k=1`` a voice is drawn exactly with its softmax probability;
  (b) the blended pack is offset by a random mix of the stock voices'
  deviations from their mean, ``0.25 x temperature`` of their spread; (c) each
  requested attribute target (pitch, pace, ...) is jittered by
  ``0.2 x temperature`` of the stock voices' spread in that attribute (a
  normal draw clipped at 2); (d) a pitch the prompt does not ask for may sit
  anywhere in a band around the middle of its kind of voice, of half-width
  ``(0.15 + 0.3 x temperature)`` spreads (``steering.pitch_band``).
* ``top_k`` (1..1000, default 50): at most this many stock voices contribute.
* ``top_p`` (0..1, default 1.0): nucleus over the normalized blend weights:
  the fewest voices, heaviest first, whose weights sum to at least ``top_p``
  (always at least one).
* ``repetition_penalty`` (1..2, default 1.05): how strongly a new version is
  pushed away from ``previous`` versions of the same design (1.0 = not at
  all): candidate logits drop by ``10 x (penalty - 1)`` x how much the earlier
  voices are made of each candidate, and the timbre half is pushed up to
  ``0.5 x (penalty - 1)`` of the stock voices' spread away from the nearest
  earlier voice; see ``repetition.py``.
* ``seed``: with a seed the same prompt and parameters give the same voice,
  byte for byte. Without one a fresh seed is drawn (and recorded in the recipe,
  so any voice can be reproduced).
"""

from __future__ import annotations

import math
import secrets
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.errors import ValidationError

GUMBEL_SCALE = 1.0
OFFSET_SCALE = 0.25
TARGET_JITTER = 0.2
REPETITION_LOGIT = 10.0
REPETITION_PUSH = 0.5


@dataclass(frozen=True)
class SamplingParams:
    temperature: float = 0.9
    top_k: int = 50
    top_p: float = 1.0
    repetition_penalty: float = 1.05
    seed: int | None = None

    def __post_init__(self) -> None:
        for name, lo, hi in (("temperature", 0.0, 2.0), ("top_k", 1, 1000), ("top_p", 0.0, 1.0),
                             ("repetition_penalty", 1.0, 2.0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                    lo <= value <= hi) or math.isnan(value):
                raise ValidationError(f"{name} must be between {lo} and {hi}, got {value!r}",
                                      pointer=f"/{name}")
        if isinstance(self.top_k, float) and not float(self.top_k).is_integer():
            raise ValidationError(f"top_k must be an integer, got {self.top_k!r}", pointer="/top_k")
        if self.seed is not None and (isinstance(self.seed, bool) or not isinstance(self.seed, int)
                                      or not 0 <= self.seed < 2 ** 63):
            raise ValidationError("seed must be an integer between 0 and 2^63 - 1",
                                  pointer="/seed")

    def effective_seed(self) -> int:
        """The given seed, or a fresh one: each call without a seed explores."""
        return self.seed if self.seed is not None else secrets.randbits(63)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    z: NDArray[np.float64] = np.exp(logits - logits.max())
    return z / float(z.sum())


def perturb_logits(logits: NDArray[np.float64], temperature: float,
                   rng: np.random.Generator) -> NDArray[np.float64]:
    """Gumbel noise scaled by temperature; exactly the logits at temperature 0."""
    if temperature <= 0:
        return logits.copy()
    u = rng.random(len(logits))
    gumbel = -np.log(-np.log(np.clip(u, 1e-12, 1 - 1e-12)))
    return logits + temperature * GUMBEL_SCALE * gumbel


def select(weights: NDArray[np.float64], top_k: int, top_p: float) -> NDArray[np.float64]:
    """Keep the ``top_k`` heaviest, then the nucleus ``top_p``; renormalize.

    Ties are broken by position (a stable sort), so selection is deterministic.
    """
    order = np.argsort(-weights, kind="stable")[: max(1, int(top_k))]
    kept = weights[order] / weights[order].sum()
    # the fewest voices whose cumulative weight reaches top_p (at least one)
    cutoff = int(np.searchsorted(np.cumsum(kept), top_p - 1e-12)) + 1
    order = order[: max(1, min(cutoff, len(order)))]
    out: NDArray[np.float64] = np.zeros_like(weights)
    out[order] = weights[order]
    return out / float(out.sum())
