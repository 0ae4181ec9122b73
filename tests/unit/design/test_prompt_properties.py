"""Property-based tests of the prompt parser (hypothesis).

For any text, in any language or none: ``parse_prompt`` never raises, every
trait is in its documented range, the result is JSON, and the same prompt
always reads the same, whatever was parsed before it.
"""

from __future__ import annotations

import json
import math

from hypothesis import example, given, settings
from hypothesis import strategies as st

from voicesmith.design.lexicon import AGES, AXES
from voicesmith.design.traits import VoiceTraits, parse_prompt
from voicesmith.design.vocabulary import vocabularies

SETTINGS = settings(max_examples=200, deadline=None)


def _vocabulary_words() -> list[str]:
    """Phrases, intensifiers, negations and numbers of every prompt language."""
    words: set[str] = set()
    for vocab in vocabularies().values():
        words.update(" ".join(phrase) for phrase in list(vocab.entries)[::7])
        words.update(" ".join(phrase) for phrase in vocab.intensifiers)
        words.update(vocab.negations)
        words.update(list(vocab.numbers)[::5])
        words.update(vocab.accent_adjectives)
    return sorted(words)


WORDS = st.sampled_from(_vocabulary_words())
GLUE = st.sampled_from([" ", " ", ", ", ". ", " and ", " but ", " not ", " very ", "-", "、",
                        "，", " 70 ", " 7-year-old ", " in her late sixties ", "\n", "!!", ""])
PROMPTS = st.one_of(
    st.text(max_size=80),
    st.lists(st.one_of(WORDS, GLUE, st.text(max_size=5)), max_size=30).map("".join),
)


def check_ranges(traits: VoiceTraits) -> None:
    assert traits.gender in (None, "female", "male", "neutral")
    assert 0.0 <= traits.gender_confidence <= 1.0
    assert traits.age in (None, *AGES)
    assert traits.age_years is None or (0 <= traits.age_years <= 130 and traits.age is not None)
    for axis in AXES:
        assert -2.0 <= traits.axis(axis) <= 2.0, axis
    for group in (traits.emotions, traits.timbre):
        assert all(-2.0 <= v <= 2.0 and v != 0 for v in group.values()), group
    assert 0.0 < traits.accent_strength <= 3.0  # "strong" 1.5 x the intensifier cap 2
    assert traits.prompt_language in vocabularies()
    body = traits.to_dict()
    assert json.loads(json.dumps(body, allow_nan=False)) == body
    assert all(math.isfinite(v) for v in body.values() if isinstance(v, float))


@SETTINGS
@given(prompt=PROMPTS)
# Stacked accent strengths once reached 11.4 (the blend's share is clamped; the
# reported strength was not).
@example("very very very very very strong French accent")
@example("un fort fort fort fort accent français très très très fort")
# Digits that are not decimal (Brahmi, superscripts) once crashed the age reader's int().
@example("\U00011052")
@example("a \u00b2\u00b3 year old man in his \U00011053\U00011052s")
def test_any_prompt_reads_to_traits_in_range(prompt: str) -> None:
    check_ranges(parse_prompt(prompt))


@SETTINGS
@given(prompt=PROMPTS, other=PROMPTS)
def test_the_same_prompt_always_reads_the_same(prompt: str, other: str) -> None:
    first = parse_prompt(prompt).to_dict()
    parse_prompt(other)  # caches (stems, spelling) must not leak between prompts
    assert parse_prompt(prompt).to_dict() == first
