"""Text side of the measures: normalization for WER, and syllable counting.

Whisper writes "Mr. Hale, 20 years" where a script (or LibriSpeech) says
"MISTER HALE TWENTY YEARS". Scoring those as errors would measure punctuation
and orthography, not intelligibility, so both sides are reduced to lower-case
words, with digits and common abbreviations spelled out, before comparing.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["count_syllables", "normalize_text", "number_to_words", "wer"]

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_WORDS = {
    "one": "first", "two": "second", "three": "third", "five": "fifth",
    "eight": "eighth", "nine": "ninth", "twelve": "twelfth",
}  # fmt: skip

# Abbreviations whose spoken form is unambiguous. "St." (saint/street) and
# "Dr." (doctor/drive) are ambiguous in general; "dr" is nearly always
# "doctor" in read text, so it is included, "st" is not.
_ABBREVIATIONS = {
    "mr": "mister",
    "mrs": "missus",
    "dr": "doctor",
    "vs": "versus",
    "etc": "et cetera",
}
_SYMBOLS = {"%": " percent ", "&": " and ", "+": " plus ", "@": " at ", "=": " equals "}


def _below_thousand(n: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds:
        words += [_ONES[hundreds], "hundred"]
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(_TENS[tens])
        if ones:
            words.append(_ONES[ones])
    elif rest or not words:
        words.append(_ONES[rest])
    return words


def number_to_words(n: int) -> str:
    """Spell out a non-negative integer: 2024 -> "two thousand twenty four".

    No "and" and no hyphens, so the result splits into the same words whichever
    way a writer or the recognizer hyphenated it. Years are read as cardinals
    ("nineteen ninety" and "1990" do not match); that is rare in test prompts.
    """
    if n < 0:
        raise ValueError("number_to_words takes non-negative integers")
    if n < 1000:
        return " ".join(_below_thousand(n))
    words: list[str] = []
    for value, name in _SCALES:
        if n >= value:
            count, n = divmod(n, value)
            words += [number_to_words(count), name]
    if n:
        words += _below_thousand(n)
    return " ".join(words)


def _ordinal(words: str) -> str:
    head, _, last = words.rpartition(" ")
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return f"{head} {last}".strip()


_NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*)(?:\.(\d+))?(st|nd|rd|th)?(?![\w])")


def _spell_number(match: re.Match[str]) -> str:
    integer, fraction, suffix = match.group(1), match.group(2), match.group(3)
    digits = integer.replace(",", "")
    if not digits.isdecimal():
        return match.group(0)
    words = number_to_words(int(digits))
    if fraction:
        # "3.14" is read digit by digit after the point.
        words += " point " + " ".join(_ONES[int(d)] for d in fraction)
    elif suffix:
        words = _ordinal(words)
    return f" {words} "


def normalize_text(s: str) -> str:
    """Lower-case words only, for comparing a script with a transcript.

    Steps, each chosen so that only a difference in the words heard counts:
    Unicode compatibility folding (curly quotes, ligatures); currency and a few
    symbols to words; digits to words (cardinals, "3rd" ordinals, decimals);
    known abbreviations expanded; apostrophes dropped inside words ("don't" ->
    "dont", so the recognizer's choice of apostrophe style cannot matter); all
    other punctuation, including hyphens, becomes a word break.
    """
    text = unicodedata.normalize("NFKC", s).lower()
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    # "$5" / "£5" -> "5 dollars" / "5 pounds" before digits are spelled out.
    text = re.sub(r"\$\s?(\d[\d,.]*)", r"\1 dollars", text)
    text = re.sub(r"£\s?(\d[\d,.]*)", r"\1 pounds", text)
    text = re.sub(r"€\s?(\d[\d,.]*)", r"\1 euros", text)
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    text = _NUMBER.sub(_spell_number, text)
    # Drop apostrophes between letters, then every other non-word character.
    text = re.sub(r"(?<=[a-z])'(?=[a-z])", "", text)
    text = re.sub(r"[^\w\s]|_", " ", text)
    words = [_ABBREVIATIONS.get(word, word) for word in text.split()]
    return " ".join(words)


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate of ``hypothesis`` against ``reference``, after normalizing both.

    (substitutions + deletions + insertions) / reference words; 0.0 is perfect
    and values above 1.0 are possible when the hypothesis inserts many words.
    """
    ref = normalize_text(reference)
    hyp = normalize_text(hypothesis)
    if not ref:
        raise ValueError("reference text has no words after normalization")
    if not hyp:
        # Everything was deleted; jiwer refuses empty hypotheses.
        return 1.0
    from voicesmith.evaluation._common import require

    jiwer = require("jiwer", "jiwer", purpose="word error rate")
    return float(jiwer.wer(ref, hyp))


_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def _word_syllables(word: str) -> int:
    groups = len(_VOWEL_GROUP.findall(word))
    # A final silent "e" ("make", "time") adds a vowel group but no syllable;
    # "-le" after a consonant ("table") and "-ee" ("free") are voiced.
    if (
        word.endswith("e")
        and groups > 1
        and not word.endswith(("le", "ee", "ye"))
        and len(word) > 2
        and word[-2] not in "aeiouy"
    ):
        groups -= 1
    # Past tense "-ed" after anything but t/d is not a syllable ("jumped").
    if word.endswith("ed") and groups > 1 and len(word) > 3 and word[-3] not in "td":
        groups -= 1
    return max(1, groups)


def count_syllables(text: str) -> int:
    """Approximate syllable count of ``text`` with a vowel-group heuristic.

    Good to within a few percent on running English text, which is all a
    speaking-rate figure needs; digits are spelled out first so "20" counts as
    "twenty" (two syllables).
    """
    return sum(_word_syllables(word) for word in normalize_text(text).split())
