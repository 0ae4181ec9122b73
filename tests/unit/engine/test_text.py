"""Text splitting: sentences, then clauses, then words; never a word lost."""

from __future__ import annotations

import re

import pytest

from voicesmith.engine.base import MAX_TOKENS
from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH, CHINESE, FRENCH, JAPANESE, Language
from voicesmith.engine.text import (
    CLAUSE_PAUSE,
    PARAGRAPH_PAUSE,
    SENTENCE_PAUSE,
    Piece,
    plan_pieces,
    split_clauses,
    split_sentences,
)


def texts(pairs: list[tuple[str, float]]) -> list[str]:
    return [t for t, _ in pairs]


def no_space(s: str) -> str:
    return re.sub(r"\s+", "", s)


def assert_covers(pieces: list[Piece], text: str) -> None:
    """The pieces' texts, joined, are the input: same words, same order."""
    assert " ".join(p.text for p in pieces).split() == text.split()
    assert no_space("".join(p.text for p in pieces)) == no_space(text)


@pytest.fixture()
def phonemize(tiny_engine: KokoroEngine):  # type: ignore[no-untyped-def]
    def run(text: str, language: Language = AMERICAN_ENGLISH) -> list[Piece]:
        return plan_pieces(text, lambda s: tiny_engine.phonemize(s, language))

    return run


# A stand-in phonemizer: one "phoneme" per character, for exact limits.
def chars(s: str) -> str:
    return s


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello there. How are you? Fine!", ["Hello there.", "How are you?", "Fine!"]),
        ("Dr. Smith met Mrs. Jones at 3.14 p.m. today.",
         ["Dr. Smith met Mrs. Jones at 3.14 p.m. today."]),
        ("Fruit, e.g. apples, i.e. food. Next one.",
         ["Fruit, e.g. apples, i.e. food.", "Next one."]),
        ("J. R. R. Tolkien wrote it. He did.", ["J. R. R. Tolkien wrote it.", "He did."]),
        ("Wait... what? Yes.", ["Wait... what?", "Yes."]),
        ('He said "Stop." Then left. (Really.) Done',
         ['He said "Stop."', "Then left.", "(Really.)", "Done"]),
        ("It cost $1,000.50 in 1990. Cheap.", ["It cost $1,000.50 in 1990.", "Cheap."]),
        ("你好。今天天气很好！我们走吧？好", ["你好。", "今天天气很好！", "我们走吧？", "好"]),
        ("こんにちは。元気ですか？", ["こんにちは。", "元気ですか？"]),
        ("नमस्ते। आप कैसे हैं?", ["नमस्ते।", "आप कैसे हैं?"]),
        ("¿Cómo estás? ¡Bien!", ["¿Cómo estás?", "¡Bien!"]),
        ("no final mark", ["no final mark"]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert texts(split_sentences(text)) == expected


def test_newlines_and_paragraphs() -> None:
    text = "A title\nThe first line is\nwrapped here.\r\nNext line.\n\n  \nNew paragraph.  Two."
    got = split_sentences(text)
    assert texts(got) == [
        "A title", "The first line is wrapped here.", "Next line.", "New paragraph.", "Two.",
    ]
    assert [p for _, p in got] == [
        SENTENCE_PAUSE, SENTENCE_PAUSE, PARAGRAPH_PAUSE, SENTENCE_PAUSE, PARAGRAPH_PAUSE,
    ]


def test_clauses_keep_their_marks() -> None:
    got = split_clauses("One, two; three: four — five–six - seven... eight, 1,000 left")
    assert got == ["One,", "two;", "three:", "four —", "five–", "six -", "seven...", "eight,",
                   "1,000 left"]
    assert split_clauses("中文，好、对；是：") == ["中文，", "好、", "对；", "是："]


def test_short_text_is_one_piece_without_trailing_pause(phonemize) -> None:  # type: ignore[no-untyped-def]
    pieces = phonemize("Hello world.")
    assert len(pieces) == 1
    assert pieces[0].text == "Hello world."
    assert pieces[0].pause_after == 0.0
    assert pieces[0].phonemes


def test_sentence_pieces_pause(phonemize) -> None:  # type: ignore[no-untyped-def]
    pieces = phonemize("One sentence. Another one.\n\nA paragraph.")
    assert [p.pause_after for p in pieces] == [SENTENCE_PAUSE, PARAGRAPH_PAUSE, 0.0]


def test_long_sentence_splits_at_clauses(phonemize) -> None:  # type: ignore[no-untyped-def]
    clause = "the quick brown fox jumps over the lazy dog again and again"
    text = ", ".join([clause] * 12) + "."
    pieces = phonemize(text)
    assert len(pieces) >= 2
    assert all(len(p.phonemes) <= MAX_TOKENS for p in pieces)
    # cut at commas, never inside a clause
    assert all(p.text.endswith((",", ".")) for p in pieces)
    assert [p.pause_after for p in pieces][:-1] == [CLAUSE_PAUSE] * (len(pieces) - 1)
    assert_covers(pieces, text)


def test_long_text_without_punctuation_splits_at_words(phonemize) -> None:  # type: ignore[no-untyped-def]
    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet " * 60).split()
    text = " ".join(words)
    pieces = phonemize(text)
    assert len(pieces) >= 3
    assert all(0 < len(p.phonemes) <= MAX_TOKENS for p in pieces)
    assert_covers(pieces, text)
    # nothing spoken twice or lost: the phonemes are those of the whole text
    whole = plan_pieces(text, chars, max_tokens=10**9)[0].text
    assert whole == text


def test_a_giant_word_is_sliced_not_dropped() -> None:
    word = "x" * 1000  # the longest word accepted (MAX_WORD_CHARS)
    pieces = plan_pieces(f"Start. {word} end.", chars, max_tokens=500)
    assert all(len(p.phonemes) <= 500 for p in pieces)
    assert sum(len(p.phonemes) for p in pieces) >= len(word)
    assert_covers(pieces, f"Start. {word} end.")


def test_mixed_long_text_exact_limits() -> None:
    sentence = "aaaa bbbb, cccc dddd; eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn."
    text = "\n".join([sentence] * 30) + "\n\n" + ("zz " * 200)
    for limit in (20, 37, 64, 510):
        pieces = plan_pieces(text, chars, max_tokens=limit)
        assert all(len(p.phonemes) <= limit for p in pieces), limit
        assert_covers(pieces, text)


def test_balanced_not_greedy() -> None:
    text = ", ".join(["abcdefghi"] * 10) + "."  # ten 10-char clauses
    pieces = plan_pieces(text, chars, max_tokens=80)
    sizes = [len(p.phonemes) for p in pieces]
    assert len(sizes) == 2 and max(sizes) - min(sizes) <= 11


def test_unspeakable_runs_travel_with_a_neighbour(phonemize) -> None:  # type: ignore[no-untyped-def]
    text = "... Hello there. ... — World."
    pieces = phonemize(text)
    assert [p.text for p in pieces] == ["... Hello there. ...", "— World."]
    assert_covers(pieces, text)


@pytest.mark.parametrize("text", ["", "   \n\n ", "...", "— … —", "!?"])
def test_nothing_speakable_gives_no_pieces(phonemize, text: str) -> None:  # type: ignore[no-untyped-def]
    assert phonemize(text) == []


def test_other_languages(phonemize) -> None:  # type: ignore[no-untyped-def]
    zh = phonemize("你好。今天天气很好！", CHINESE)
    assert [p.text for p in zh] == ["你好。", "今天天气很好！"]
    ja = phonemize("こんにちは。", JAPANESE)
    assert len(ja) == 1 and ja[0].phonemes
    fr = phonemize("Bonjour, hello world.", FRENCH)
    # espeak's "(en)" language-switch flags must not be spoken as letters
    assert "(en)" not in fr[0].phonemes and "(fr)" not in fr[0].phonemes
