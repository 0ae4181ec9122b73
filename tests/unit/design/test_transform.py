"""The design's transform stage: which traits ask for which change of the audio."""

from __future__ import annotations

import pytest

from voicesmith.audio.voice_transform import VoiceTransform
from voicesmith.design.traits import parse_prompt
from voicesmith.design.transform import transform_for


def _transform(prompt: str, gender: str = "female") -> VoiceTransform | None:
    stored = transform_for(parse_prompt(prompt), gender)
    return None if stored is None else VoiceTransform.from_dict(stored)


@pytest.mark.parametrize("prompt", ["a warm female narrator", "a deep calm male voice",
                                    "an energetic young woman", "a British man, unhurried"])
def test_what_the_blend_does_alone_needs_no_transform(prompt: str) -> None:
    assert _transform(prompt) is None  # such voices synthesize exactly as before


def test_a_child_is_higher_with_a_shorter_vocal_tract_than_an_adult() -> None:
    boy, girl = _transform("a little boy", "male"), _transform("a little girl", "female")
    assert boy and girl and boy.f0_ratio > girl.f0_ratio > 1.0
    assert boy.formant_warp > 1.0 and girl.formant_warp > 1.0


def test_elderly_voices_shake_and_breathe_and_f0_moves_by_gender() -> None:
    man, woman = _transform("an elderly man", "male"), _transform("an elderly woman")
    assert man and woman and man.tremor_depth > 0 and man.breathiness > 0
    assert man.f0_ratio > 1.0 > woman.f0_ratio


@pytest.mark.parametrize(("prompt", "field"), [
    ("a whispering woman", "whisper"), ("a breathy woman", "breathiness"),
    ("a raspy man", "roughness"), ("a gravelly old pirate", "roughness"),
    ("a creaky voice", "creak"), ("a trembling voice", "tremor_depth"),
])
def test_timbre_words_reach_their_parameter(prompt: str, field: str) -> None:
    transform = _transform(prompt)
    assert transform is not None and getattr(transform, field) > 0


def test_strength_follows_intensifiers() -> None:
    slight, very = _transform("slightly breathy"), _transform("very breathy")
    assert slight and very and slight.breathiness < very.breathiness


def test_loud_and_soft_and_emotions() -> None:
    loud, soft = _transform("a loud voice"), _transform("a soft, quiet voice")
    assert loud and soft and loud.loudness_db > 0 > soft.loudness_db
    angry, sad = _transform("an angry man", "male"), _transform("a sad woman")
    assert angry and sad and angry.f0_range > 1.0 > sad.f0_range
    assert sad.f0_ratio < 1.0


def test_the_stored_form_round_trips() -> None:
    stored = transform_for(parse_prompt("a very old, raspy, shouting man"), "male")
    assert stored is not None and stored["kind"] == "voice_transform"
    assert VoiceTransform.from_dict(stored).to_dict() == stored
