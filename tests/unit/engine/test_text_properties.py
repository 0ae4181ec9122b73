"""Property-based tests of the engine's text splitter (hypothesis).

For any text at all: the pieces, joined, are the speakable text (the input
less what is not pronounced), every character in order, no piece is over the model's limit, and the
only error is the documented refusal. Abbreviations never end a sentence.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH, CHINESE, FRENCH, JAPANESE, Language
from voicesmith.engine.speakable import speakable
from voicesmith.engine.text import SPEAKABLE, Piece, plan_pieces, split_sentences
from voicesmith.errors import ValidationError

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

# Any Unicode (hypothesis leaves out lone surrogates, which JSON parsing refuses
# before text gets here), with the characters that matter to the splitter
# made common: marks, closers, line breaks, controls, bidi and zero-width, emoji.
SPECIAL = st.sampled_from(list(".!?…,;:—–-\"”’)」。！？、，\n\r\t \u0000\u0007\u202e\u200b\ufeff")
                          + ["😀", "👍🏽", "🇫🇷", "...", "\n\n", "Dr.", "e.g.", "3.14", "<b>"])
TEXTS = st.lists(st.one_of(st.text(max_size=12), SPECIAL), max_size=40).map("".join)


def chars(s: str) -> str:
    """A stand-in phonemizer: one "phoneme" per character, for exact limits."""
    return s


def check_pieces(pieces: list[Piece], text: str, limit: int, *, every_letter: bool = True) -> None:
    """``every_letter``: a letter always makes a phoneme (espeak-ng has none for some scripts)."""
    clean = speakable(text)
    assert all(0 < len(p.phonemes) <= limit for p in pieces)
    if pieces:  # every character, in order (whitespace between pieces is theirs to choose)
        assert re.sub(r"\s+", "", "".join(p.text for p in pieces)) == re.sub(r"\s+", "", clean)
        assert pieces[-1].pause_after == 0.0
    elif every_letter:  # nothing to say: no letter of any script survived
        assert not any(SPEAKABLE.search(s) for s, _ in split_sentences(clean))


def refused(text: str) -> bool:
    """The documented refusals: markup (the generated texts have no 1000-letter word)."""
    try:
        speakable(text)
    except ValidationError as exc:
        assert exc.pointer == "/text" and "markup" in exc.detail
        return True
    return False


@SETTINGS
@given(text=TEXTS, limit=st.integers(4, 80))
def test_pieces_cover_the_speakable_text_within_the_limit(text: str, limit: int) -> None:
    if refused(text):
        with pytest.raises(ValidationError):
            plan_pieces(text, chars, max_tokens=limit)
        return
    check_pieces(plan_pieces(text, chars, max_tokens=limit), text, limit)


@SETTINGS
@given(text=TEXTS, language=st.sampled_from([AMERICAN_ENGLISH, FRENCH, CHINESE, JAPANESE]))
def test_espeak_phonemes_never_raise(tiny_engine: KokoroEngine, text: str,
                                     language: Language) -> None:
    if refused(text):
        return
    pieces = plan_pieces(text, lambda s: tiny_engine.phonemize(s, language))
    check_pieces(pieces, text, 510, every_letter=False)


ABBREVIATIONS = st.sampled_from(["Dr", "Mr", "Mrs", "Ms", "Prof", "St", "Jr", "vs", "etc",
                                 "Inc", "Gen", "Capt", "Rev", "Jan", "Sept", "e.g", "U.S", "J"])
NAMES = st.sampled_from(["Smith", "Jones", "Alice", "Paris", "London", "Brown", "Maria", "Oslo"])


@SETTINGS
@given(before=st.lists(NAMES, min_size=1, max_size=4), title=ABBREVIATIONS, name=NAMES,
       after=st.lists(NAMES, max_size=4))
def test_abbreviations_do_not_end_a_sentence(before: list[str], title: str, name: str,
                                             after: list[str]) -> None:
    sentence = " ".join([*before, f"{title}.", name, *after]) + "."
    text = f"First one here. {sentence} Last one!"
    assert [s for s, _ in split_sentences(text)] == ["First one here.", sentence, "Last one!"]
