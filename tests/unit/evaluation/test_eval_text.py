"""Text normalization, string WER and syllable counting (no audio, no models)."""

from __future__ import annotations

import pytest

from voicesmith.evaluation.measures import count_syllables, normalize_text, number_to_words, wer


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (15, "fifteen"),
        (40, "forty"),
        (99, "ninety nine"),
        (100, "one hundred"),
        (305, "three hundred five"),
        (2024, "two thousand twenty four"),
        (1_000_000, "one million"),
        (12_345_678, "twelve million three hundred forty five thousand six hundred seventy eight"),
    ],
)
def test_number_to_words(n: int, words: str) -> None:
    assert number_to_words(n) == words


def test_normalize_text_strips_case_and_punctuation() -> None:
    assert normalize_text("Hello, World!  It's--fine.") == "hello world its fine"
    assert normalize_text("\u201cDon\u2019t,\u201d she said\u2026") == "dont she said"
    assert normalize_text("YOU DON'T MEAN THAT") == normalize_text("You don't mean that.")


def test_normalize_text_spells_numbers_symbols_and_abbreviations() -> None:
    assert normalize_text("Mr. Hale and Mrs. Thornton") == "mister hale and missus thornton"
    assert normalize_text("Dr. Who paid $20") == "doctor who paid twenty dollars"
    assert normalize_text("the 3rd of 21st, 1,000 & 50%") == (
        "the third of twenty first one thousand and fifty percent"
    )
    assert normalize_text("3.5 km at 4:30") == "three point five km at four thirty"
    assert normalize_text("well-known") == "well known"


def test_wer_on_strings() -> None:
    assert wer("the cat sat on the mat", "the cat sat on the mat") == 0.0
    # One substitution in six words.
    assert wer("the cat sat on the mat", "the cat sat on a mat") == pytest.approx(1 / 6)
    # Formatting differences are not errors.
    assert wer("MISTER HALE HAS TWENTY BOOKS", "Mr. Hale has 20 books.") == 0.0
    # Deletions and insertions: empty hypothesis is all deletions; WER can exceed 1.
    assert wer("one two three", "") == 1.0
    assert wer("hi", "oh hi there you") == pytest.approx(3.0)


def test_wer_rejects_empty_reference() -> None:
    with pytest.raises(ValueError, match="reference"):
        wer(" ... ", "something")


@pytest.mark.parametrize(
    ("text", "syllables"),
    [
        ("cat", 1),
        ("make", 1),
        ("table", 2),
        ("jumped", 1),
        ("wanted", 2),
        ("beautiful", 3),
        ("you don't mean that you thought me so silly", 10),
        ("20", 2),  # "twenty"
    ],
)
def test_count_syllables(text: str, syllables: int) -> None:
    assert count_syllables(text) == syllables
