"""The vocabulary data files: they load, their references resolve, no form means two things."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from voicesmith.design.lexicon import LABEL_KINDS, parse_effects
from voicesmith.design.vocabulary import LANGUAGE_FILES, personas, vocabularies

EMOTIONS = set("calm soothing tired warm cheerful excited serious sad authoritative friendly angry "
               "intense playful mysterious menacing nervous fearful sultry dry expressive flat "
               "neutral thoughtful refined".split())
TIMBRES = set("gravelly whispery husky raspy breathy smooth clear bright dark resonant nasal "
              "creaky shaky".split())
FILES = [f"{code}.toml" for code in LANGUAGE_FILES
         if resources.files("voicesmith.design.vocabulary").joinpath(f"{code}.toml").is_file()]


def _data(name: str) -> dict:
    return tomllib.loads(resources.files("voicesmith.design.vocabulary").joinpath(name)
                         .read_text(encoding="utf-8"))


def test_every_prompt_language_of_telnyx_has_a_vocabulary() -> None:
    assert set(vocabularies()) >= {"en", "es", "fr", "de", "it", "pt", "zh", "ja", "ko", "ru"}


@pytest.mark.parametrize("name", FILES)
def test_no_form_is_defined_twice_with_different_effects(name: str) -> None:
    seen: dict[str, str] = {}
    for forms, spec in _data(name).get("words", {}).items():
        for form in forms.split("|"):
            key = " ".join(form.lower().split())
            assert seen.setdefault(key, spec) == spec, f"{name}: {form!r} is defined twice"


@pytest.mark.parametrize("name", FILES)
def test_every_row_loads_and_uses_only_known_labels(name: str) -> None:
    vocab = vocabularies()[name.removesuffix(".toml")]
    words = _data(name).get("words", {})
    assert len(vocab.entries) >= len(words)  # every row's forms are indexed
    for entry in vocab.entries.values():
        for effect in entry.effects:
            if effect.kind == "emotion":
                assert effect.value in EMOTIONS, (name, effect)
            if effect.kind == "timbre":
                assert effect.value in TIMBRES, (name, effect)


def test_at_least_80_personas_each_documented() -> None:
    found = personas()
    assert len(found) >= 80
    for name, (_, description, effects) in found.items():
        assert description and effects, name
        for effect in effects:
            assert effect.kind in LABEL_KINDS or effect.implied, (name, effect)


@pytest.mark.parametrize("spec", ["pitch", "colour:red", "gender=", "pitch=high", "bogus=1"])
def test_bad_effects_are_rejected(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_effects(spec)
