"""The prompt parser: strengths, negation, implied traits, conflicts, unknown words."""

from __future__ import annotations

import json

import pytest

from voicesmith.design.traits import VoiceTraits, parse_prompt
from voicesmith.engine.languages import (
    AMERICAN_ENGLISH,
    BRITISH_ENGLISH,
    JAPANESE,
    SPANISH,
)


def test_the_brief_example() -> None:
    t = parse_prompt("a warm, low, slightly husky male narrator, British, unhurried")
    assert t.gender == "male" and t.gender_confidence == 1.0
    assert t.pitch == -1.0
    assert t.pace == -1.0
    assert t.accent == BRITISH_ENGLISH
    assert t.timbre == {"husky": 0.5}
    assert t.clarity == -0.5  # "slightly" halves husky's pull
    assert "warm" in t.emotions and t.brightness < 0
    assert t.style == ("narrator",)
    assert t.ignored == ()


# ---------------------------------------------------------------- strengths
@pytest.mark.parametrize(("prompt", "pitch"), [
    ("a deep voice", -1.0), ("a very deep voice", -1.5), ("an extremely deep voice", -2.0),
    ("a slightly deep voice", -0.5), ("a bit deep", -0.5), ("a somewhat deep voice", -0.6),
    ("a little deeper", -0.5), ("much deeper", -1.5), ("slightly deeper", -0.5),
    ("very very deep", -2.0),  # stacked, then clamped to the axis range
])
def test_intensifiers_and_hedges_scale_strength(prompt: str, pitch: float) -> None:
    assert parse_prompt(prompt).pitch == pytest.approx(pitch)


def test_slightly_and_much_deeper_differ_by_degree() -> None:
    slightly = parse_prompt("a slightly deeper male voice").pitch
    much = parse_prompt("a much deeper male voice").pitch
    assert much < slightly < 0


def test_a_modifier_reaches_only_the_next_trait_word() -> None:
    t = parse_prompt("very deep and fast")
    assert t.pitch == -1.5 and t.pace == 1.0
    # an unknown word in between takes the modifier with it
    assert parse_prompt("very unusual deep voice").pitch == -1.0


# ---------------------------------------------------------------- negation
def test_not_too_fast_is_a_touch_slower() -> None:
    t = parse_prompt("not too fast")
    assert -0.5 < t.pace < 0
    assert "not too fast" in t.matched


@pytest.mark.parametrize("prompt", ["not deep", "a voice that isn't deep", "never deep",
                                    "isn't too deep"])
def test_negated_deep_leans_slightly_higher(prompt: str) -> None:
    assert 0 < parse_prompt(prompt).pitch <= 0.3


def test_negation_stops_at_the_clause() -> None:
    t = parse_prompt("not fast, deep")
    assert t.pace < 0 and t.pitch == -1.0


def test_negated_gender_votes_for_the_other_one() -> None:
    assert parse_prompt("not a man").gender == "female"
    assert parse_prompt("not male, a woman").gender == "female"


def test_negated_implied_traits_are_dropped() -> None:
    # "calm" implies a slower pace; "not calm" says nothing about pace
    assert parse_prompt("not calm").pace == 0.0
    assert parse_prompt("not calm").energy > 0


# ---------------------------------------------------------------- implied traits
@pytest.mark.parametrize(("prompt", "gender", "sign"), [
    ("a baritone", "male", -1), ("a bass voice", "male", -1), ("a soprano", "female", 1),
    ("an alto", "female", -1), ("a tenor", "male", 1),
])
def test_voice_parts_imply_gender_and_register(prompt: str, gender: str, sign: int) -> None:
    t = parse_prompt(prompt)
    assert t.gender == gender
    assert t.pitch * sign > 0
    assert t.gender_confidence < 1.0  # implied, not said


@pytest.mark.parametrize("word", ["she", "her", "woman", "girl", "lady", "female", "mother"])
def test_female_words(word: str) -> None:
    assert parse_prompt(f"{word} speaks softly").gender == "female"


@pytest.mark.parametrize("word", ["he", "him", "man", "guy", "gentleman", "male", "grandpa"])
def test_male_words(word: str) -> None:
    assert parse_prompt(f"a voice for {word}").gender == "male"


@pytest.mark.parametrize("prompt", ["an androgynous voice", "gender-neutral narrator",
                                    "a non-binary speaker"])
def test_neutral_gender(prompt: str) -> None:
    assert parse_prompt(prompt).gender == "neutral"


def test_neutral_alone_is_not_a_gender() -> None:
    assert parse_prompt("a neutral tone").gender is None


def test_implied_pace_yields_to_an_explicit_one() -> None:
    assert parse_prompt("a calm voice").pace < 0
    assert parse_prompt("a calm but fast voice").pace == 1.0
    assert parse_prompt("an old man").pace < 0
    assert parse_prompt("a fast-talking old man").pace == 1.0


def test_ages() -> None:
    assert parse_prompt("an elderly woman").age == "elderly"
    assert parse_prompt("a 70-year-old man").age == "elderly"
    assert parse_prompt("a woman in her 40s").age == "middle-aged"
    assert parse_prompt("a little girl").age == "child"
    assert parse_prompt("a little girl").pitch > 0


# ---------------------------------------------------------------- conflicts
def test_opposite_pitch_words_cancel_and_are_reported() -> None:
    t = parse_prompt("a high-pitched and deep voice")
    assert t.pitch == 0.0
    assert any(c.startswith("pitch") for c in t.conflicts)


def test_a_refinement_is_not_a_conflict() -> None:
    t = parse_prompt("deep but not too deep")
    assert t.pitch == pytest.approx(-0.7)
    assert t.conflicts == ()


def test_same_direction_words_do_not_add_up() -> None:
    assert parse_prompt("deep, low, booming").pitch == -1.0


def test_gender_conflict_goes_to_the_most_votes_then_the_last() -> None:
    t = parse_prompt("a woman, she is a man")
    assert t.gender == "female"  # two votes to one
    assert t.gender_confidence == pytest.approx(2 / 3)
    assert t.conflicts
    tie = parse_prompt("a man or a woman")
    assert tie.gender == "female"  # tie: the last mention wins


def test_last_accent_wins() -> None:
    t = parse_prompt("American, no wait, British")
    assert t.accent == BRITISH_ENGLISH
    assert any(c.startswith("accent") for c in t.conflicts)


# ---------------------------------------------------------------- unknown words
def test_unknown_words_are_reported_not_errors() -> None:
    t = parse_prompt("a flibbertigibbet voice with zest, deep")
    assert t.ignored == ("flibbertigibbet", "zest")
    assert t.pitch == -1.0


@pytest.mark.parametrize("prompt", ["", "   ", "!!!", "🙂🙂", "1234", "a" * 5000,
                                    "not not not", "very", "ne pas"])
def test_never_raises(prompt: str) -> None:
    assert isinstance(parse_prompt(prompt), VoiceTraits)


def test_unsupported_accents_are_noted() -> None:
    t = parse_prompt("a German accent")
    assert t.accent is None and t.notes
    t = parse_prompt("a strong Scottish accent")
    assert t.accent == BRITISH_ENGLISH and t.energy == 0.0  # "strong" qualifies the accent
    assert any("approximated" in n for n in t.notes)


# ---------------------------------------------------------------- synonyms
@pytest.mark.parametrize("word", ["deep", "low", "gravelly", "bass", "booming", "low-pitched",
                                  "deeper", "lower"])
def test_deep_synonyms(word: str) -> None:
    assert parse_prompt(f"a {word} voice").pitch < 0


@pytest.mark.parametrize("word", ["high", "high-pitched", "squeaky", "light", "higher",
                                  "shrill"])
def test_high_synonyms(word: str) -> None:
    assert parse_prompt(f"a {word} voice").pitch > 0


@pytest.mark.parametrize("phrase", ["slow", "unhurried", "measured", "leisurely",
                                    "a relaxed pace", "slowly", "deliberate", "drawling"])
def test_slow_synonyms(phrase: str) -> None:
    assert parse_prompt(f"speaks in a {phrase} way").pace <= -1.0


@pytest.mark.parametrize("phrase", ["fast", "quick", "rapid", "brisk", "an energetic pace",
                                    "fast-talking", "rapid-fire", "hurried"])
def test_fast_synonyms(phrase: str) -> None:
    assert parse_prompt(f"a {phrase} delivery").pace >= 1.0


@pytest.mark.parametrize(("prompt", "accent"), [
    ("British", BRITISH_ENGLISH), ("from London", BRITISH_ENGLISH),
    ("a UK accent", BRITISH_ENGLISH),
    ("American", AMERICAN_ENGLISH), ("a Texan drawl", AMERICAN_ENGLISH),
    ("Spanish", SPANISH), ("Japanese", JAPANESE),
])
def test_accents(prompt: str, accent: object) -> None:
    assert parse_prompt(prompt).accent == accent


def test_timbre_and_emotion_axes() -> None:
    assert parse_prompt("husky").clarity < 0 < parse_prompt("crisp and clear").clarity
    assert parse_prompt("bright").brightness > 0 > parse_prompt("dark and rich").brightness
    assert parse_prompt("monotone").expressiveness < 0 < parse_prompt("animated").expressiveness
    assert parse_prompt("energetic").energy > 0 > parse_prompt("calm").energy
    assert parse_prompt("sad").emotions == {"sad": 1.0}


def test_other_languages_gender_pitch_pace() -> None:
    t = parse_prompt("un hombre con voz muy grave y lenta")
    assert (t.gender, t.pitch, t.pace) == ("male", -1.5, -1.0)
    t = parse_prompt("une femme, voix aiguë, rapide")
    assert (t.gender, t.pitch, t.pace) == ("female", 1.0, 1.0)
    t = parse_prompt("低い声の男性、ゆっくり")
    assert (t.gender, t.pitch, t.pace) == ("male", -1.0, -1.0)
    t = parse_prompt("一个低沉的男声，语速慢")
    assert (t.gender, t.pitch, t.pace) == ("male", -1.0, -1.0)


def test_to_dict_is_json() -> None:
    t = parse_prompt("a very deep, calm British man, not too fast, flibbertigibbet")
    d = json.loads(json.dumps(t.to_dict()))
    assert d["gender"] == "male" and d["accent"] == "en-gb" and d["pitch"] == -1.5
    assert d["ignored"] == ["flibbertigibbet"]
    assert set(d) >= {"gender", "gender_confidence", "age", "pitch", "pace", "energy",
                      "accent", "emotions", "timbre", "matched", "ignored", "conflicts"}


def test_matched_phrases_carry_only_their_own_modifiers() -> None:
    t = parse_prompt("very deep, not too fast and slightly husky")
    assert t.matched == ("very deep", "not too fast", "slightly husky")


def test_negation_covers_or() -> None:
    t = parse_prompt("a voice that isn't too high or too low, moderate pace")
    assert t.pitch == 0.0 and t.pace == 0.0 and t.conflicts == ()


@pytest.mark.parametrize(("word", "axis", "sign"), [
    ("nervously", "pitch", 1), ("huskier", "clarity", -1), ("gentler", "energy", -1),
    ("calmness", "energy", -1), ("brighter", "brightness", 1), ("cheerfully", "energy", 1),
])
def test_word_forms(word: str, axis: str, sign: int) -> None:
    assert parse_prompt(word).axis(axis) * sign > 0
