"""The shipped catalog and the directions fitted over it."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from voicesmith.design.catalog import load_catalog
from voicesmith.design.directions import DIRECTION_SPECS, fit_directions, steer_pack
from voicesmith.engine.base import StockVoice


def test_catalog_covers_every_english_voice_with_measurements() -> None:
    catalog = load_catalog()
    english = [n for n in catalog.voices if n[0] in "ab"]
    assert len(english) == 28
    for entry in catalog.voices.values():
        assert entry.gender == ("female" if entry.name[1] == "f" else "male")
        for value in (entry.f0_median_hz, entry.f0_range_st, entry.syllables_per_s,
                      entry.spectral_centroid_hz, entry.hnr_db):
            assert math.isfinite(value)
        assert 60 < entry.f0_median_hz < 400 and 0 < entry.quality <= 1


def test_measured_pitch_separates_the_genders_of_english_voices() -> None:
    english = [e for e in load_catalog().voices.values() if e.name[0] in "ab"]
    female = np.median([e.f0_median_hz for e in english if e.gender == "female"])
    male = np.median([e.f0_median_hz for e in english if e.gender == "male"])
    assert male < 130 < 165 < female


def test_every_direction_is_calibrated_and_rises() -> None:
    catalog = load_catalog()
    for spec in DIRECTION_SPECS:
        gain = catalog.gain(spec.name)
        assert gain is not None and gain > 0, spec.name


def test_directions_live_in_their_half(stock_voices: Mapping[str, StockVoice]) -> None:
    directions = fit_directions(stock_voices, load_catalog().voices)
    assert not directions["pitch"].vector[:128].any() and directions["pitch"].vector[128:].any()
    assert not directions["clarity"].vector[128:].any()
    assert directions["pitch"].r2 > 0.8  # the prosody half explains pitch well


def test_steering_moves_the_position_by_the_asked_amount(
        stock_voices: Mapping[str, StockVoice]) -> None:
    pitch = fit_directions(stock_voices, load_catalog().voices)["pitch"]
    pack = stock_voices["af_heart"].pack
    assert abs(pitch.position(pack) - pitch.positions["af_heart"]) < 1e-5
    moved = steer_pack(pack, pitch.vector, -1.5)
    assert abs(pitch.position(moved) - pitch.position(pack) + 1.5) < 1e-4
