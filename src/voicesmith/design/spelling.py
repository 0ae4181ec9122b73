"""Misspelled prompt words, read as the vocabulary word they were meant to be.

A token the vocabulary does not know is corrected only when it is not a word
of the prompt's language in its own right (not in wordfreq's "small" list of
the language, the words used about once per million or more, so "cold" never
becomes "old") and one edit away from a known form (two for long words),
counting a swap of neighbours as one edit ("hihg" -> "high"). The small lists
take about 30 MB for the seven alphabetic languages; the large ones ten times
that, for words a user rarely writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

# Any frequency in the small list (its floor is about Zipf 3, once per 10^6 words).
REAL_WORD_ZIPF = 1.0
_MIN_LENGTH = 4


@cache
def _choices(forms: frozenset[str], initial: str) -> tuple[str, ...]:
    # Sorted so that ties resolve the same way on every run. A first letter is
    # rarely mistyped: short words are only compared with words that share it.
    return tuple(sorted(f for f in forms if len(f) >= _MIN_LENGTH - 1 and f.isalpha()
                        and (not initial or f[0] == initial)))


def is_real_word(word: str, language: str) -> bool:
    try:
        return zipf_frequency(word, language, wordlist="small") >= REAL_WORD_ZIPF
    except (LookupError, ValueError, ImportError):  # no word list (or tokenizer) for it
        return True


ALPHABETIC = frozenset({"en", "es", "fr", "de", "it", "pt", "ru"})


def load_word_lists() -> None:
    """Load the word lists now (0.1 s) rather than on the first prompt of each language."""
    for language in sorted(ALPHABETIC):
        is_real_word("a", language)


def correct(word: str, language: str, vocabulary_forms: Iterable[frozenset[str]]) -> str | None:
    """The known form ``word`` is a misspelling of, or None. Latin words in a
    Chinese, Japanese or Korean prompt are checked as English."""
    language = language if language in ALPHABETIC else "en"
    if len(word) < _MIN_LENGTH or not word.isalpha() or is_real_word(word, language):
        return None
    limit = 1 if len(word) <= 6 else 2
    best: tuple[tuple[int, int], str] | None = None
    for forms in vocabulary_forms:
        initial = word[0] if len(word) < 7 else ""
        for choice, distance, _ in process.extract(word, _choices(forms, initial),
                                                   scorer=OSA.distance, score_cutoff=limit,
                                                   limit=8):
            # a left-out letter is the commonest slip: "angy" is "angry" before "ange"
            rank = (int(distance), 0 if len(choice) > len(word) else 1)
            if best is None or rank < best[0]:
                best = (rank, str(choice))
    return best[1] if best else None
