"""Naturalness MOS with DistillMOS (the ``eval`` extra: skipped without it)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

pytest.importorskip("torch", reason="naturalness MOS needs the eval extra (torch)")
# Not importorskip: importing distillmos directly fails with OSError from its
# broken torchaudio dependency, which the measure works around on its own.
if importlib.util.find_spec("distillmos") is None:
    pytest.skip("naturalness MOS needs the eval extra (distillmos)", allow_module_level=True)

from voicesmith.evaluation.measures import naturalness_mos

Clip = tuple[NDArray[np.float32], int]
CLIPS = ["1688-142285-0002", "3331-159605-0001"]


@pytest.fixture(scope="module")
def clean_scores(clip: Callable[[str], Clip]) -> dict[str, float]:
    return {u: naturalness_mos(*clip(u)) for u in CLIPS}


def test_clean_human_speech_scores_in_range(clean_scores: dict[str, float]) -> None:
    # Measured 3.44 and 3.30 (test-other is the corpus's harder, noisier half;
    # clean read speech reaches ~4.0-4.3).
    for utterance, score in clean_scores.items():
        assert 2.8 < score <= 5.0, utterance


def test_noise_lowers_the_score(
    clip: Callable[[str], Clip],
    clean_scores: dict[str, float],
    add_noise: Callable[..., NDArray[np.float32]],
) -> None:
    for utterance in CLIPS:
        samples, rate = clip(utterance)
        # White noise at 5 dB SNR: measured 1.97 and 1.79.
        noisy = naturalness_mos(add_noise(samples, 5.0), rate)
        assert noisy < clean_scores[utterance] - 0.8, utterance


def test_score_does_not_depend_on_level(
    clip: Callable[[str], Clip], clean_scores: dict[str, float]
) -> None:
    samples, rate = clip(CLIPS[0])
    # DistillMOS peak-normalizes its input, so gain changes nothing.
    assert naturalness_mos(0.3 * samples, rate) == pytest.approx(clean_scores[CLIPS[0]], abs=0.02)


def test_other_sample_rates_are_accepted(clip: Callable[[str], Clip]) -> None:
    import soxr

    samples, rate = clip(CLIPS[0])
    # Not equal to the 16 kHz score: the round trip through 24 kHz removes the
    # 7.3-8 kHz band (soxr's anti-alias edge), which DistillMOS notices
    # (measured 3.44 -> 3.93 on this noisy recording). Compare systems at the
    # same input rate.
    assert 2.8 < naturalness_mos(soxr.resample(samples, rate, 24_000), 24_000) <= 5.0
