"""Fitting the voice transform: what is measured, and which steps are kept."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from voicesmith.audio.pitch import median_f0
from voicesmith.cloning.transform_fit import (
    VoiceFeatures,
    fit_transform,
    measure_features,
    spectral_tilt,
)

RATE = 24_000


def _noise_with_slope(db_per_octave: float, seconds: float = 3.0) -> NDArray[np.float32]:
    rng = np.random.default_rng(0)
    n = int(seconds * RATE)
    spec = np.fft.rfft(rng.standard_normal(n))
    freqs = np.maximum(np.fft.rfftfreq(n, 1 / RATE), 20.0)
    spec *= (freqs / 1000.0) ** (db_per_octave / 6.0206)
    audio = np.fft.irfft(spec, n)
    return (0.3 * audio / np.max(np.abs(audio))).astype(np.float32)


@pytest.mark.parametrize("slope", [-9.0, -4.0, 0.0, 3.0])
def test_spectral_tilt_reads_the_slope_of_the_long_term_spectrum(slope: float) -> None:
    assert spectral_tilt(_noise_with_slope(slope), RATE) == pytest.approx(slope, abs=0.5)


def _buzz(f0: float, seconds: float = 3.0) -> NDArray[np.float32]:
    t = np.arange(int(seconds * RATE)) / RATE
    # a slow +-1 semitone glide, so the F0 has a range to measure
    phase = 2 * np.pi * np.cumsum(f0 * 2 ** (np.sin(2 * np.pi * 0.5 * t) / 12)) / RATE
    audio = sum(np.sin(k * phase) / k for k in range(1, 30))
    return (0.2 * audio).astype(np.float32)


def test_features_measure_f0_level_and_range() -> None:
    features = measure_features(_buzz(150.0), RATE)
    assert features.median_f0_hz == pytest.approx(150.0, rel=0.03)
    assert 0.8 < features.f0_spread_st < 2.5  # quartiles of a +-1 semitone sine
    assert math.isfinite(features.tilt_db_per_octave) and features.level_dbfs < 0
    assert math.isnan(measure_features(np.zeros(RATE, np.float32), RATE).median_f0_hz)


def _pitch_embedder(prefer_hz: float):  # type: ignore[no-untyped-def]
    """A stand-in encoder that only hears F0: closer to ``prefer_hz``, more similar."""
    def embed(audio: NDArray[np.float32], rate: int) -> NDArray[np.float32]:
        distance = abs(math.log2(median_f0(audio, rate) / prefer_hz))
        v = np.zeros(256, np.float32)
        v[0], v[1] = math.cos(distance), math.sin(distance)
        return v
    return embed


def _target(f0: float) -> VoiceFeatures:
    return VoiceFeatures(median_f0_hz=f0, f0_spread_st=float("nan"),
                         tilt_db_per_octave=float("nan"), level_dbfs=-20.0)


def test_the_f0_step_is_kept_when_it_brings_both_halves_closer() -> None:
    embed = _pitch_embedder(150.0)
    speaker = embed(_buzz(150.0), RATE).astype(np.float64)
    fit = fit_transform(_buzz(120.0), RATE, (speaker, speaker), _target(150.0), embed)
    assert 1.15 < fit.transform.f0_ratio < 1.3  # 150/120, as the tracker reads the two buzzes
    assert fit.score > fit.plain_score
    kept = [s["step"] for s in fit.steps if s["kept"]]
    assert "f0" in kept and "formants" not in kept and "breath" not in kept


def test_a_step_one_half_disagrees_with_is_not_kept() -> None:
    higher = _pitch_embedder(150.0)(_buzz(150.0), RATE).astype(np.float64)
    lower = _pitch_embedder(150.0)(_buzz(100.0), RATE).astype(np.float64)
    embed = _pitch_embedder(150.0)
    fit = fit_transform(_buzz(120.0), RATE, (higher, lower), _target(150.0), embed)
    assert fit.transform.is_identity, fit.steps


def test_reusing_the_psola_stage_renders_what_the_whole_transform_renders() -> None:
    from dataclasses import replace

    from voicesmith.audio.voice_transform import VoiceTransform, apply_transform
    from voicesmith.cloning.transform_fit import _Renderer

    probe = _buzz(130.0)
    render = _Renderer(probe, RATE)
    psola_only = VoiceTransform(f0_ratio=1.1, formant_warp=1.04)
    render(psola_only)  # cached now
    for extra in ({"tilt_db_per_octave": -1.5}, {"breathiness": 0.3}, {}):
        whole = replace(psola_only, **extra)
        np.testing.assert_allclose(render(whole), apply_transform(whole, probe, RATE), atol=1e-6)
