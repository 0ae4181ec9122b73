"""``repetition_penalty``: keeping a new version of a design away from its earlier ones.

Two mechanisms, both scaled by ``penalty - 1`` (so 1.0 does nothing):

* Each candidate stock voice's logit is lowered by how much the earlier
  voices are *made of* it: an earlier voice is decomposed into a blend of the
  candidates (least squares on the simplex), and the decomposition counts in
  proportion to how well it explains that voice. An earlier voice from
  another kind of prompt (a woman, when a man is designed now) is explained
  badly and so penalizes nothing.
* The blend's timbre half is pushed away from the nearest earlier voice, by
  up to a fraction of the stock voices' spread: all of it when the two are
  identical (top_k=1 on a one-voice language cannot change its logits), less
  as they already differ.

Closeness is a Gaussian kernel on the squared style distance, 0.15 x the
candidates' mean squared spread wide: a same-prompt version at temperature
0.9 scores about 0.7, two unrelated stock voices about 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.directions import HALVES, mean_style
from voicesmith.engine.base import StockVoice, VoiceStyle

KERNEL_WIDTH = 0.15


def spread2(means: NDArray[np.float64]) -> float:
    """Mean squared distance of voices from their centroid."""
    return float(np.mean(np.sum((means - means.mean(axis=0)) ** 2, axis=1))) or 1.0


def _project_simplex(v: NDArray[np.float64]) -> NDArray[np.float64]:
    """Euclidean projection onto {w >= 0, sum w = 1} (the sort-based algorithm)."""
    u = np.sort(v)[::-1]
    css = np.cumsum(u) - 1.0
    k = np.arange(1, len(v) + 1)
    rho = int(np.nonzero(u - css / k > 0)[0][-1])
    projected: NDArray[np.float64] = np.maximum(v - css[rho] / (rho + 1), 0.0)
    return projected


def composition(target: NDArray[np.float64], means: NDArray[np.float64]
                ) -> tuple[NDArray[np.float64], float]:
    """Blend weights over ``means`` closest to ``target``, and the squared residual."""
    gram = means @ means.T
    step = 1.0 / float(np.linalg.eigvalsh(gram)[-1])
    b = means @ target
    w = np.full(len(means), 1.0 / len(means))
    for _ in range(300):  # projected gradient: a handful of voices, converges fast
        w = _project_simplex(w - step * (gram @ w - b))
    residual = means.T @ w - target
    return w, float(residual @ residual)


def logit_penalty(pool: Sequence[str], stock: Mapping[str, StockVoice],
                  previous: Sequence[VoiceStyle]) -> NDArray[np.float64]:
    """Per pool voice: how much the previous voices are made of it (0..len(previous))."""
    means = np.stack([mean_style(stock[n].pack) for n in pool])
    width = KERNEL_WIDTH * spread2(means)
    out = np.zeros(len(pool))
    for prev in previous:
        weights, residual2 = composition(mean_style(prev.pack), means)
        out += weights * np.exp(-residual2 / width)
    return out


def push_away(pack: NDArray[np.float64], previous: Sequence[VoiceStyle], names: Sequence[str],
              stock: Mapping[str, StockVoice], amount: float) -> tuple[NDArray[np.float64], float]:
    """Move the timbre half away from the nearest previous voice (returns the step's norm)."""
    means = np.stack([mean_style(stock[n].pack) for n in names])
    width = KERNEL_WIDTH * spread2(means)
    here = pack.mean(axis=0)
    nearest = min((mean_style(p.pack) for p in previous),
                  key=lambda m: float(np.sum((m - here) ** 2)))
    closeness = float(np.exp(-np.sum((here - nearest) ** 2) / width))
    timbre = HALVES["timbre"]
    away = here[timbre] - nearest[timbre]
    if np.linalg.norm(away) < 1e-9:
        # identical to a previous voice: head for the farthest stock voice instead
        away = max(means[:, timbre], key=lambda m: float(np.sum((m - here[timbre]) ** 2))
                   ) - here[timbre]
    step = amount * closeness * np.sqrt(spread2(means[:, timbre])) * away / np.linalg.norm(away)
    pack = pack.copy()
    pack[:, timbre] += step
    return pack, float(np.linalg.norm(step))
