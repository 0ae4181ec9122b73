"""Attribute directions in Kokoro's style space, fitted across the stock voices.

A direction is a 256-d vector, non-zero only in the half of the style vector
its attribute lives in (dims [:128] mostly timbre, [128:] mostly prosody), along
which the stock voices' measured attribute rises. It is fitted by ridge
regression of the attribute on the voices' mean style vectors, each gender
centred on its own mean: otherwise the fit would learn "male vs female" (which
also moves timbre) instead of "higher vs lower within a voice type".

Length convention: one unit is one standard deviation of the stock voices
along the direction, so "stay within the spread of the stock voices" is a
bound in the same units. How much one unit changes the *spoken* attribute is
measured by the catalog script (``gain_per_unit`` in catalog.json), because the
model is not linear in its style input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.design.catalog import VoiceEntry, semitones
from voicesmith.engine.base import STYLE_DIM, StockVoice

HALF = STYLE_DIM // 2
HALVES: dict[str, slice] = {"timbre": slice(0, HALF), "prosody": slice(HALF, STYLE_DIM)}
# Ridge strength relative to the mean squared feature scale; chosen by
# leave-one-out error over the catalog (see fit_direction).
_RIDGE_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)


def _identity(x: float) -> float:
    return x


@dataclass(frozen=True)
class DirectionSpec:
    name: str
    attribute: str  # a VoiceEntry field
    half: str  # "timbre" | "prosody"
    unit: str
    transform: Callable[[float], float]  # to the scale the attribute is steered on


DIRECTION_SPECS: tuple[DirectionSpec, ...] = (
    DirectionSpec("pitch", "f0_median_hz", "prosody", "st", semitones),
    DirectionSpec("expressiveness", "f0_range_st", "prosody", "st", _identity),
    DirectionSpec("brightness", "spectral_centroid_hz", "timbre", "Hz", _identity),
    DirectionSpec("clarity", "hnr_db", "timbre", "dB", _identity),
)
SPECS_BY_NAME = {spec.name: spec for spec in DIRECTION_SPECS}


@dataclass(frozen=True)
class Direction:
    name: str
    vector: NDArray[np.float32]  # (256,), one stock-voice standard deviation long
    # each stock voice's position along the direction, in units
    positions: dict[str, float]
    r2: float  # leave-one-out R^2 of the fit: how much of the attribute the half explains

    def position(self, pack: NDArray[np.float32]) -> float:
        """Where a pack lies along the direction (units, same origin as ``positions``)."""
        v = self.vector.astype(np.float64)
        return float(pack.astype(np.float64).mean(axis=0) @ v / (v @ v))


def mean_style(pack: NDArray[np.float32]) -> NDArray[np.float64]:
    """A pack's average style row: one point per voice for fitting."""
    mean: NDArray[np.float64] = pack.astype(np.float64).mean(axis=0)
    return mean


def steer_pack(pack: NDArray[np.float32], vector: NDArray[np.float32], amount: float
               ) -> NDArray[np.float32]:
    """Move every row of a pack ``amount`` units along a direction.

    Every row gets the same offset: rows differ by input length, not by voice,
    and a uniform move keeps the voice's own row-to-row shape.
    """
    return (pack + np.float32(amount) * vector[None, :]).astype(np.float32)


def fit_direction(x: NDArray[np.float64], y: NDArray[np.float64], groups: list[str]
                  ) -> tuple[NDArray[np.float64], float]:
    """Ridge direction of ``y`` over rows of ``x``, centred per group.

    Returns the unit-norm weight vector and its leave-one-out R^2; the ridge
    strength is the one with the least leave-one-out error (cheap closed form).
    """
    xc, yc = x.copy(), y.copy()
    for g in set(groups):
        idx = [i for i, gg in enumerate(groups) if gg == g]
        xc[idx] -= xc[idx].mean(axis=0)
        yc[idx] -= yc[idx].mean()
    scale = float(np.mean(xc ** 2)) * xc.shape[1]
    best: tuple[float, NDArray[np.float64]] | None = None
    gram = xc @ xc.T  # n x n: the kernel form is cheap with n << 128
    n = len(yc)
    for lam in _RIDGE_GRID:
        inv = np.linalg.inv(gram + lam * scale * np.eye(n))
        hat = gram @ inv
        resid = (yc - hat @ yc) / (1.0 - np.diag(hat))
        loo = float(np.mean(resid ** 2))
        if best is None or loo < best[0]:
            best = (loo, xc.T @ (inv @ yc))
    assert best is not None
    w = best[1]
    r2 = 1.0 - best[0] / float(np.mean(yc ** 2))
    return w / np.linalg.norm(w), r2


def fit_directions(voices: Mapping[str, StockVoice],
                   catalog: Mapping[str, VoiceEntry] | Mapping[str, Mapping[str, Any]]
                   ) -> dict[str, Direction]:
    """Fit every direction in ``DIRECTION_SPECS`` over the voices the catalog measured."""
    names = sorted(n for n in voices if n in catalog)
    if len(names) < 4:
        raise ValueError("need at least four catalogued stock voices to fit directions")
    means = np.stack([mean_style(voices[n].pack) for n in names])
    groups = [voices[n].gender for n in names]

    def attr(name: str, field: str) -> float:
        entry = catalog[name]
        return float(getattr(entry, field) if isinstance(entry, VoiceEntry) else entry[field])

    out: dict[str, Direction] = {}
    for spec in DIRECTION_SPECS:
        half = HALVES[spec.half]
        y = np.array([spec.transform(attr(n, spec.attribute)) for n in names])
        w, r2 = fit_direction(means[:, half], y, groups)
        proj = means[:, half] @ w
        # the spread within a gender: steering stays inside one voice type
        group_mean = {g: float(np.mean(proj[[i for i, gg in enumerate(groups) if gg == g]]))
                      for g in set(groups)}
        centred = proj - np.array([group_mean[g] for g in groups])
        sd = float(np.std(centred))
        vector = np.zeros(STYLE_DIM, dtype=np.float64)
        vector[half] = w * sd  # one unit = one standard deviation of the stock voices
        positions = {n: float(p / sd) for n, p in zip(names, proj, strict=True)}
        out[spec.name] = Direction(spec.name, vector.astype(np.float32), positions, r2)
    return out
