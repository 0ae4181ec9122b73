"""Splitting text of any length into pieces the model can speak in one pass.

Kokoro takes at most 510 tokens (phonemes) per pass, and its prosody is best
when a pass is a whole sentence. So text is cut at the least disruptive place
that fits: sentences (and line or paragraph breaks) first; a sentence too long
for one pass is cut at clauses (, ; : — ...); a clause still too long is cut
at word boundaries by ``kokoro_onnx.chunker.split_phonemes``, which slices
mid-word only when a single "word" exceeds the limit.

Nothing is ever dropped: each piece's ``text`` is a run of the input, in order,
so the pieces' texts joined give back the input, whitespace aside. Runs with
nothing speakable (a lone "***") ride along with a neighbouring piece. The
input is first made ``speakable`` (``engine.speakable``): characters that are
not pronounced (controls, zero-width and bidi marks, emoji) are removed, and
text that cannot be spoken faithfully is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from kokoro_onnx.chunker import split_phonemes

from voicesmith.engine.base import MAX_TOKENS
from voicesmith.engine.speakable import speakable

# Silence after a piece, in seconds at speed 1.0. The model's own trailing
# silence is trimmed, so these are what a listener hears between pieces;
# sentence and clause values are kokoro-onnx's defaults.
PARAGRAPH_PAUSE = 0.5
SENTENCE_PAUSE = 0.25
CLAUSE_PAUSE = 0.1

Phonemize = Callable[[str], str]


@dataclass(frozen=True)
class Piece:
    """One pass of the model: input text, its phonemes, the pause after it."""

    text: str
    phonemes: str  # vocabulary symbols only, so len(phonemes) is the token count
    pause_after: float


# Abbreviations after which a full stop does not end a sentence. Those that
# usually precede a name or number matter most; a missed split only makes a
# piece longer, while a wrong one puts a pause inside a sentence.
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "sra", "srta", "jr", "st", "mt", "vs", "etc",
    "cf", "approx", "dept", "inc", "ltd", "corp", "fig", "figs", "gen", "col", "lt", "sgt",
    "capt", "rev", "hon", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "mme", "mlle",
    "sig", "ca",
))
_CLOSERS = re.escape("\"'”’»)]}」』）】")
# Latin marks end a sentence only before whitespace; CJK marks and the
# Devanagari danda need none. "3.14" and "e.g." have no space after the dot.
_SENTENCE_END = re.compile(
    rf"(?P<cjk>[。！？｡।]+)[{_CLOSERS}]*\s*|(?P<mark>[.!?…]+)[{_CLOSERS}]*(?:\s+|$)"
)
_CLAUSE_END = re.compile(
    rf"[,;:][{_CLOSERS}]*\s+|[，、；：]\s*|\s*[—–]\s*|\s+-\s+|(?:\.\.\.|…)\s+"
)
# Letters of any script; phonemes holding none (only punctuation) say nothing.
SPEAKABLE = re.compile(r"[^\W\d_]")


def split_sentences(text: str) -> list[tuple[str, float]]:
    """Cut ``text`` into sentences, each with the pause that should follow it.

    A blank line ends a paragraph. A single line break ends a sentence unless
    the next line starts in lower case (text hard-wrapped mid-sentence).
    """
    return [(" ".join(text[a:b].split()), pause) for a, b, pause in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int, float]]:
    """``split_sentences`` as (start, end, pause): each sentence is ``text[start:end]``.

    The WebSocket's sentence buffer releases text only at these ends, so that
    it never cuts a sentence the engine would speak whole.
    """
    spans: list[tuple[int, int, float]] = []
    for para_start, para_end in _runs_between(_PARAGRAPH_BREAK, text, 0, len(text)):
        lines: list[list[int]] = []  # [start, end] of lines, hard-wrapped ones joined
        for start, end in _runs_between(_LINE_BREAK, text, para_start, para_end):
            line = text[start:end].strip()
            if lines and line[:1].islower():
                lines[-1][1] = end
            elif line:
                lines.append([start, end])
        first = len(spans)
        for start, end in lines:
            spans.extend((start + a, start + b, SENTENCE_PAUSE)
                         for a, b in _sentences_in_line(text[start:end]))
        if len(spans) > first:
            spans[-1] = (*spans[-1][:2], PARAGRAPH_PAUSE)
    return spans


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Atomic: "\r\n" is one line break, never a "\r" and a "\n" (a blank line).
_PARAGRAPH_BREAK = re.compile(r"(?>\r\n|\r|\n)[ \t]*(?>\r\n|\r|\n)")


def _runs_between(separator: re.Pattern[str], text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the runs of ``text[start:end]`` between matches of ``separator``."""
    runs, at = [], start
    for match in separator.finditer(text, start, end):
        runs.append((at, match.start()))
        at = match.end()
    runs.append((at, end))
    return runs


def _sentences_in_line(line: str) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``line``, surrounding whitespace left out."""
    cuts, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        if match.group("mark") and not _ends_sentence(line, match, start):
            continue
        cuts.append((start, match.end()))
        start = match.end()
    cuts.append((start, len(line)))
    out = []
    for a, b in cuts:
        part = line[a:b]
        if part.strip():
            out.append((a + len(part) - len(part.lstrip()), a + len(part.rstrip())))
    return out


def _ends_sentence(line: str, match: re.Match[str], start: int) -> bool:
    """Whether ``match`` ends the sentence that began at ``start``."""
    mark = match.group("mark")
    following = line[match.end() : match.end() + 1]
    if "!" in mark or "?" in mark:
        return True
    if following.islower():  # "e.g. apples", "wait... what": the sentence goes on
        return False
    # The word before the mark, in this sentence: a mark after a mark ("Hi. .")
    # is judged alone, as it is when the sentences arrive one by one.
    before = line[start : match.start()].split()
    word = before[-1].lstrip("(\"'“‘«[") if before else ""
    return not (mark == "." and (
        word.lower() in _ABBREVIATIONS
        or "." in word  # "e.g", "U.S", "a.m"
        or (len(word) == 1 and word.isupper())  # an initial: "J. Smith"
    ))


def split_clauses(sentence: str) -> list[str]:
    """Cut a sentence after its clause marks, the marks staying with the text before."""
    out, start = [], 0
    for match in _CLAUSE_END.finditer(sentence):
        if match.end() > start and sentence[start : match.end()].strip():
            out.append(sentence[start : match.end()].strip())
            start = match.end()
    tail = sentence[start:].strip()
    if tail:
        out.append(tail)
    return out


def plan_pieces(text: str, phonemize: Phonemize, max_tokens: int = MAX_TOKENS) -> list[Piece]:
    """Split ``text`` into pieces of at most ``max_tokens`` phonemes each.

    Returns [] when nothing in ``text`` is speakable. The last piece has no
    pause after it. ValidationError when ``text`` cannot be spoken faithfully.
    """
    segments: list[Piece] = []
    for sentence, pause in split_sentences(speakable(text)):
        phonemes = phonemize(sentence)
        if len(phonemes) <= max_tokens:
            segments.append(Piece(sentence, phonemes, pause))
        else:
            segments.extend(_split_long_sentence(sentence, phonemize, max_tokens, pause))

    pieces: list[Piece] = []
    pending = ""  # unspeakable text waiting for a piece to travel with
    for seg in segments:
        if not SPEAKABLE.search(seg.phonemes):
            if pieces:
                pieces[-1] = replace(pieces[-1], text=f"{pieces[-1].text} {seg.text}")
            else:
                pending = f"{pending} {seg.text}".strip()
            continue
        pieces.append(replace(seg, text=f"{pending} {seg.text}".strip()))
        pending = ""
    if pieces:
        pieces[-1] = replace(pieces[-1], pause_after=0.0)
    return pieces


def _split_long_sentence(
    sentence: str, phonemize: Phonemize, max_tokens: int, pause: float
) -> list[Piece]:
    parts: list[Piece] = []
    for clause in split_clauses(sentence):
        phonemes = phonemize(clause)
        if len(phonemes) <= max_tokens:
            parts.append(Piece(clause, phonemes, CLAUSE_PAUSE))
        else:
            parts.extend(_split_words(clause, phonemes, max_tokens))
    groups = _balanced_groups([len(p.phonemes) for p in parts], max_tokens)
    out = [
        Piece(
            " ".join(p.text for p in parts[a:b] if p.text),
            " ".join(p.phonemes for p in parts[a:b] if p.phonemes),
            parts[b - 1].pause_after,
        )
        for a, b in groups
    ]
    return [*out[:-1], replace(out[-1], pause_after=pause)] if out else []


def _split_words(clause: str, phonemes: str, max_tokens: int) -> list[Piece]:
    """Last resort: cut the phonemes at word gaps and share the words out.

    Phoneme words do not map one to one onto text words ("1990" is two), so
    each batch gets the share of the words that matches its share of the
    phonemes; every word lands in exactly one batch.
    """
    batches = split_phonemes(phonemes, max_tokens)
    words = clause.split()
    total = sum(len(b) for b in batches) or 1
    out, cut, seen = [], 0, 0
    for i, batch in enumerate(batches):
        seen += len(batch)
        end = len(words) if i == len(batches) - 1 else max(cut, round(seen / total * len(words)))
        last = i == len(batches) - 1
        out.append(Piece(" ".join(words[cut:end]), batch, CLAUSE_PAUSE if last else 0.0))
        cut = end
    return out


def _groups(lengths: list[int], limit: int) -> list[tuple[int, int]]:
    """Greedily group consecutive parts (joined by a space) within ``limit``."""
    groups: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, length in enumerate(lengths):
        candidate = length if i == start else size + 1 + length
        if candidate > limit and i > start:
            groups.append((start, i))
            start, size = i, length
        else:
            size = candidate
    if lengths:
        groups.append((start, len(lengths)))
    return groups


def _balanced_groups(lengths: list[int], limit: int) -> list[tuple[int, int]]:
    """As few groups as greedy packing needs, but evened out.

    Filling each pass to the limit leaves a short remainder, and the model
    reads a short pass at a different pace and loudness than its neighbours.
    """
    if not lengths:
        return []
    fewest = len(_groups(lengths, limit))
    low, high = max(lengths), limit
    while low < high:
        middle = (low + high) // 2
        if len(_groups(lengths, middle)) <= fewest:
            high = middle
        else:
            low = middle + 1
    return _groups(lengths, low)
