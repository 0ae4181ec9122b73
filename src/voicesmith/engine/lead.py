"""A quick start: the first piece of a stream made short, so that audio begins sooner.

Kokoro makes a piece's audio all at once, so the time to first audio is the
time to synthesize the first piece, and a whole first sentence can take a
second. ``quick_start`` cuts the first piece into a short lead and the rest:
at its first clause mark when that gives a lead long enough to sound natural
(``LEAD_MIN_TOKENS``, about three words), else, in a long clause of a language
written with spaces, at a word boundary near ``LEAD_TARGET_TOKENS`` (before a
connective such as "and", "with" or "that" where one is near, where a speaker
would breathe). Later pieces are whole sentences and so grow: while the lead
plays (about a second of audio), the rest of the sentence is made, and the
engine runs several times faster than real time, so the listener's buffer
does not run dry.

A short first sentence is not cut: "Welcome to the | evening news." would
sound broken. Where the engine has the model split (``split_model``),
``decoder_lead`` cuts it further down instead, in frames: the first words
are decoded alone but with the whole sentence's prosody, so they do not
sound like a phrase of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from itertools import accumulate

from voicesmith.engine.base import MAX_TOKENS, SAMPLE_RATE, SAMPLES_PER_FRAME
from voicesmith.engine.text import CLAUSE_PAUSE, SPEAKABLE, Phonemize, Piece, split_clauses

LEAD_MIN_TOKENS = 14  # phonemes: about three words, the shortest lead that sounds whole
LEAD_TARGET_TOKENS = 30  # where a word cut aims: about six words, under two seconds
LEAD_MAX_TOKENS = 60  # a clause lead longer than this is cut again at a word
WORD_CUT_MIN_TOKENS = 80  # a first piece shorter than this is never cut mid-clause
# Words a phrase starts with (English, the languages' common case): cutting
# before one puts the break where a speaker would take a breath.
_CONNECTIVES = frozenset((
    "and", "but", "or", "so", "because", "which", "that", "who", "when", "where", "while",
    "with", "without", "to", "for", "from", "in", "on", "at", "by", "as", "if", "than",
    "after", "before", "until", "into", "across", "through",
))


def quick_start(pieces: list[Piece], phonemize: Phonemize) -> list[Piece]:
    """``pieces`` with the first cut into a short lead and the rest, where that fits."""
    if not pieces:
        return pieces
    first = pieces[0]
    cut = _lead_cut(first, phonemize)
    if cut is None:
        return pieces
    at, pause = cut
    lead_text, rest_text = first.text[:at].strip(), first.text[at:].strip()
    lead, rest = phonemize(lead_text), phonemize(rest_text)
    if not (SPEAKABLE.search(lead) and SPEAKABLE.search(rest)) or max(
            len(lead), len(rest)) > MAX_TOKENS:
        return pieces
    return [Piece(lead_text, lead, pause), replace(first, text=rest_text, phonemes=rest),
            *pieces[1:]]


def _lead_cut(piece: Piece, phonemize: Phonemize) -> tuple[int, float] | None:
    """Where to cut ``piece.text`` (character offset) and the pause after the lead."""
    if len(piece.phonemes) < 2 * LEAD_MIN_TOKENS:
        return None
    text = piece.text
    clause_end = 0
    for clause in split_clauses(text)[:-1]:
        clause_end = text.index(clause, clause_end) + len(clause)
        tokens = len(phonemize(text[:clause_end]))
        if tokens >= LEAD_MIN_TOKENS:
            if tokens <= LEAD_MAX_TOKENS:
                return clause_end, CLAUSE_PAUSE
            break
    if len(piece.phonemes) < WORD_CUT_MIN_TOKENS:
        return None
    word_cut = _word_cut(text, phonemize)
    return None if word_cut is None else (word_cut, 0.0)


def _word_cut(text: str, phonemize: Phonemize) -> int | None:
    """A word boundary near ``LEAD_TARGET_TOKENS`` phonemes in, before a connective if near."""
    starts = [i for i in range(1, len(text)) if text[i - 1].isspace() and not text[i].isspace()]
    if len(starts) < 4:  # a script without spaces, or a few long words
        return None
    target = next((i for i, s in enumerate(starts)
                   if len(phonemize(text[:s])) >= LEAD_TARGET_TOKENS), None)
    if target is None:
        return None
    window = [i for i in range(max(target - 2, 2), min(target + 3, len(starts) - 1))]
    connective = [i for i in window if _word_at(text, starts[i]) in _CONNECTIVES]
    best = min(connective, key=lambda i: abs(i - target)) if connective else target
    return starts[best] if best < len(starts) - 1 else None


def _word_at(text: str, start: int) -> str:
    word = text[start:].split(maxsplit=1)[0]
    return word.strip("\"'“‘«([").lower()


# A decoded lead (``split_model``): the first piece's first words decoded alone,
# with the whole sentence's prosody, and played while the whole is decoded.
FRAME_SECONDS = SAMPLES_PER_FRAME / SAMPLE_RATE
LEAD_MIN_FRAMES = 20  # half a second of speech: a word or two
DECODER_CONTEXT_FRAMES = 12  # decoded past the cut so the lead's last sound ends as in the whole
LEAD_SAFETY = 1.3  # the lead outlasts the whole piece's decode by this factor
_LEAD_MAX_SHARE = 0.75  # a lead costing more than this share of the piece does not pay


def decoder_lead(durations: Sequence[int], word_ends: Sequence[int],
                 seconds_per_frame: float) -> int | None:
    """The frame where a decoded lead ends, or None where one does not pay.

    ``durations`` are each token's frames (the pads at both ends included),
    ``word_ends`` the indices into them of tokens that end a word (spaces);
    ``seconds_per_frame`` is how fast this machine decodes now. The cut is the
    first word end at which the lead's speech lasts ``LEAD_SAFETY`` times the
    whole piece's decode, so that the listener's buffer does not run dry
    while the rest is made.
    """
    total = sum(durations)
    ends = list(accumulate(durations))
    need = max(LEAD_MIN_FRAMES,
               math.ceil(LEAD_SAFETY * seconds_per_frame * total / FRAME_SECONDS))
    cut = next((ends[i] for i in word_ends if ends[i] - durations[0] >= need), None)
    if cut is None or cut + DECODER_CONTEXT_FRAMES > _LEAD_MAX_SHARE * total:
        return None
    return cut
