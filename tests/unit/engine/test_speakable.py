"""What of a text is spoken: removals, refusals, and long words espeak-ng would cut."""

from __future__ import annotations

import pytest

from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH
from voicesmith.engine.speakable import (
    DIGIT_SLICE,
    LETTER_SLICE,
    MAX_WORD_CHARS,
    slice_long_words,
    speakable,
)
from voicesmith.engine.text import plan_pieces
from voicesmith.errors import ValidationError


@pytest.mark.parametrize(("text", "spoken"), [
    ("Hello\x00 wor\x07ld.", "Hello world."),  # a NUL once ended the text for espeak-ng
    ("Tab\tand\nbreaks\r\nstay.", "Tab\tand\nbreaks\r\nstay."),
    ("Form\x0cfeed\x0bvt.", "Form feed vt."),
    ("Hel\u200blo \u202eworld\u202c, \u2066isolated\u2069\ufeff.", "Hello world, isolated."),
    ("soft\u00adhyphen", "softhyphen"),
    ("I love it 😀🎉 so much 👍🏽!", "I love it  so much !"),
    ("🇫🇷 France, 👨\u200d👩\u200d👧 family, ❤️ love", " France,  family,  love"),
    ("1️⃣ first", "1 first"),
    ("25°C, © 2024, Acme™, ♪", "25°C, © 2024, Acme™, ♪"),  # text symbols are read
    ("x < y and y > z, a <-> b", "x < y and y > z, a <-> b"),  # not tags
    ("line\u2028next\u2029para", "line\nnext\npara"),
])
def test_what_is_not_pronounced_is_removed(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


@pytest.mark.parametrize(("text", "words"), [
    ("<speak>Hello <break time='3s'/> world</speak>", "'<speak>' at character 0"),
    ("Hello <b>world</b>.", "'<b>' at character 6"),
    ('Say <say-as interpret-as="digits">123</say-as>', "<say-as"),
    ("a" * (MAX_WORD_CHARS + 1), f"a word of {MAX_WORD_CHARS + 1:,} characters"),
    ("x" * 600 + "\u200b" + "x" * 600, "a word of 1,200 characters"),  # joined once cleaned
    ("7" * 5000, "a word of 5,000 characters"),
    ("Hi \ud800 there", "U+D800) at character 3"),
])
def test_what_cannot_be_spoken_faithfully_is_refused(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        speakable(text)
    assert caught.value.pointer == "/text" and words in caught.value.detail


def test_the_longest_word_accepted_is_spoken_whole() -> None:
    assert speakable("a" * MAX_WORD_CHARS) == "a" * MAX_WORD_CHARS


def test_long_words_are_sliced_for_espeak() -> None:
    word = "ab" * LETTER_SLICE
    assert slice_long_words(f"The {word}.") == f"The {word[:LETTER_SLICE]} {word[LETTER_SLICE:]}."
    number = "9" * (DIGIT_SLICE + 5)
    assert slice_long_words(number) == f"{'9' * DIGIT_SLICE} 99999"
    assert slice_long_words("pneumonoultramicroscopicsilicovolcanoconiosis") == (
        "pneumonoultramicroscopicsilicovolcanoconiosis")  # 45 letters: whole


def test_espeak_no_longer_cuts_text_short(tiny_engine: KokoroEngine) -> None:
    def phonemes(text: str) -> str:
        return " ".join(p.phonemes for p in plan_pieces(
            text, lambda s: tiny_engine.phonemize(s, AMERICAN_ENGLISH)))

    assert phonemes("Hello\x00 world.") == phonemes("Hello world.")
    # espeak-ng read about 200 of a 1000-letter word, and 24 of 40 repeated digits
    long_word, short_word = phonemes("ba" * 500), phonemes("ba" * 50)
    assert len(long_word) > 7 * len(short_word)
    assert len(phonemes("7" * 64)) > 1.8 * len(phonemes("7" * 32))
