"""The synthesis-time transform of an upload clone: WORLD F0 scale + envelope warp.

Kokoro's stock voices (and blends of them) cannot reach every speaker; the
two things that most separate a speaker from the nearest stock voice and that
a vocoder can change cleanly are the pitch (F0) and the vocal-tract length
(formant positions, i.e. a frequency warp of the spectral envelope). WORLD
(pyworld) analyses a chunk into F0, envelope and aperiodicity, and resynthesises
it with F0 * ``f0_ratio`` and the envelope warped by ``warp`` (> 1 moves
formants up, a shorter vocal tract).

Speed: dio + stonemask (not harvest, 20x slower) at 10 ms frames; measured
real-time factor 0.035-0.07 on the 2-core dev machine (chunk by chunk), i.e.
7-15% on top of Kokoro's own 0.4-0.5. Each chunk is processed alone, so
streaming is unchanged, but the cost is real: capture only stores a
transform when it scores clearly better than none (most voices carry none).
"""

from __future__ import annotations

import math
import sys
import types
from typing import Any

import numpy as np
from numpy.typing import NDArray

KIND = "world_f0_warp"
VERSION = 1
FRAME_PERIOD_MS = 10.0
# dio's search range: covers speaking voices, and ignores hum below the 70 Hz high-pass.
F0_FLOOR_HZ = 60.0
F0_CEIL_HZ = 600.0
# Chunks shorter than this are left alone: WORLD needs a few frames to analyse.
_MIN_SAMPLES = 2_400
# Bounds on stored parameters: beyond them the voice stops sounding human.
F0_RATIO_RANGE = (0.7, 1.45)
WARP_RANGE = (0.8, 1.25)


def _import_pyworld() -> types.ModuleType:
    """Import pyworld even where setuptools >= 81 has removed pkg_resources.

    pyworld 0.3.x reads its own version through ``pkg_resources`` at import and
    nothing else; a stand-in that answers that one call keeps the server free
    of a setuptools pin.
    """
    try:
        import pyworld  # type: ignore[import-untyped]
    except ModuleNotFoundError as exc:
        if exc.name == "pyworld":
            from voicesmith.cloning.availability import missing_packages_error

            raise missing_packages_error(["pyworld"], "This voice clone's post-processing") from exc
        if exc.name != "pkg_resources":
            raise
        stub = types.ModuleType("pkg_resources")

        class _Dist:
            version = "unknown"

        stub.get_distribution = lambda _name: _Dist()  # type: ignore[attr-defined]
        sys.modules.setdefault("pkg_resources", stub)
        sys.modules.pop("pyworld", None)
        import pyworld  # type: ignore[import-untyped]
    return pyworld


def make_params(f0_ratio: float, warp: float) -> dict[str, Any] | None:
    """JSON-serializable parameters, or None when the transform would do nothing."""
    f0_ratio = float(np.clip(f0_ratio, *F0_RATIO_RANGE))
    warp = float(np.clip(warp, *WARP_RANGE))
    if abs(f0_ratio - 1.0) < 1e-3 and abs(warp - 1.0) < 1e-3:
        return None
    return {"kind": KIND, "version": VERSION, "f0_ratio": round(f0_ratio, 4),
            "warp": round(warp, 4)}


def validate_params(params: dict[str, Any]) -> tuple[float, float]:
    """(f0_ratio, warp) from stored parameters; ValueError if they are not ours."""
    if params.get("kind") != KIND or params.get("version") != VERSION:
        raise ValueError(f"unknown post-process {params.get('kind')!r} v{params.get('version')}")
    ratio, warp = float(params["f0_ratio"]), float(params["warp"])
    if not (math.isfinite(ratio) and math.isfinite(warp)):
        raise ValueError("post-process parameters must be finite")
    lo_r, hi_r = F0_RATIO_RANGE
    lo_w, hi_w = WARP_RANGE
    if not (lo_r <= ratio <= hi_r and lo_w <= warp <= hi_w):
        raise ValueError(f"post-process parameters out of range: f0_ratio={ratio}, warp={warp}")
    return ratio, warp


class WorldAnalysis:
    """One WORLD analysis of a signal, resynthesised under many (ratio, warp) pairs.

    The capture search uses this so that each grid point costs only a warp and
    a synthesis, not a new analysis.
    """

    def __init__(self, samples: NDArray[np.float32], sample_rate: int) -> None:
        pw = _import_pyworld()
        self._pw = pw
        self.sample_rate = sample_rate
        self.size = samples.size
        x = samples.astype(np.float64)
        f0, times = pw.dio(x, sample_rate, f0_floor=F0_FLOOR_HZ, f0_ceil=F0_CEIL_HZ,
                           frame_period=FRAME_PERIOD_MS)
        self.f0 = pw.stonemask(x, f0, times, sample_rate)
        # One FFT size for both (cheaptrick's default for 71 Hz: 1024 at 24 kHz);
        # a lower floor would double it and the cost, for voices below 71 Hz.
        fft_size = pw.get_cheaptrick_fft_size(sample_rate)
        self.envelope = pw.cheaptrick(x, self.f0, times, sample_rate, fft_size=fft_size)
        self.aperiodicity = pw.d4c(x, self.f0, times, sample_rate, fft_size=fft_size)
        self.rms = float(np.sqrt(np.mean(x**2)))

    @property
    def median_f0(self) -> float:
        voiced = self.f0[self.f0 > 0]
        return float(np.median(voiced)) if voiced.size else math.nan

    def render(self, f0_ratio: float, warp: float) -> NDArray[np.float32]:
        """Resynthesis with F0 scaled and the envelope warped, at the input's level."""
        envelope = warp_envelope(self.envelope, warp)
        y = self._pw.synthesize(self.f0 * f0_ratio, envelope, self.aperiodicity,
                                self.sample_rate, frame_period=FRAME_PERIOD_MS)
        y = _fit_length(y, self.size)
        rms = float(np.sqrt(np.mean(y**2)))
        if rms > 1e-9:
            y *= self.rms / rms  # WORLD changes the level with the envelope; keep the engine's
        return np.clip(y, -1.0, 1.0).astype(np.float32)


def warp_envelope(envelope: NDArray[np.float64], warp: float) -> NDArray[np.float64]:
    """Frequency-warp each frame: output bin k takes the input at k / warp."""
    if abs(warp - 1.0) < 1e-6:
        return envelope
    n_bins = envelope.shape[1]
    src = np.minimum(np.arange(n_bins) / warp, n_bins - 1)
    lo = np.floor(src).astype(np.intp)
    hi = np.minimum(lo + 1, n_bins - 1)
    frac = src - lo
    # Interpolate in the log domain: the envelope spans many decades.
    log_env = np.log(np.maximum(envelope, 1e-16))
    warped = log_env[:, lo] * (1.0 - frac) + log_env[:, hi] * frac
    return np.ascontiguousarray(np.exp(warped))


def apply_postprocess(samples: NDArray[np.float32], params: dict[str, Any] | None,
                      sample_rate: int = 24_000) -> NDArray[np.float32]:
    """Apply a stored post-process to one synthesized chunk (float32 mono).

    ``params`` None (or an identity transform) returns ``samples`` unchanged.
    """
    if not params:
        return samples
    ratio, warp = validate_params(params)
    if samples.size < _MIN_SAMPLES or float(np.max(np.abs(samples))) < 1e-6:
        return samples
    return WorldAnalysis(samples, sample_rate).render(ratio, warp)


def _fit_length(y: NDArray[np.float64], size: int) -> NDArray[np.float64]:
    if y.size >= size:
        return y[:size].copy()
    return np.concatenate([y, np.zeros(size - y.size)])
