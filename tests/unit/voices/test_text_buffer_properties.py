"""Property-based tests of the WebSocket sentence buffer (hypothesis).

Whatever fragments a text arrives in, the engine is given the same sentences
as when it arrives whole, and nothing is lost; without run-on cuts those are
the engine's own sentences of the whole text.
"""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from voicesmith.engine.text import split_sentences
from voicesmith.voices.text_buffer import MAX_PENDING_CHARS, SentenceBuffer

SETTINGS = settings(max_examples=200, deadline=None)

# Words and the marks after them, so that texts look like text: abbreviations,
# initials, dotted words, numbers, lower-case continuations, closers, CJK and
# Devanagari marks, line and paragraph breaks.
WORDS = st.sampled_from([
    "Hello", "world", "Dr", "Mr", "dr", "e.g", "U.S", "J", "a", "I", "3", "14", "你好", "元気",
    "नमस्ते", "x" * 90,
])
AFTER = st.sampled_from([
    " ", " ", " ", ". ", ". ", "! ", "? ", "... ", "… ", ", ", "; ", " - ", "—", ".\n", "\n",
    "\n\n", "\r\n", "  ", "\t", '." ', "”. ", ".) ", "。", "！", "？", "।", "。」", "", ".",
])
SENTENCES = st.lists(st.tuples(WORDS, AFTER).map("".join), max_size=40).map("".join)
# And anything at all, mixed in.
TEXTS = st.lists(st.one_of(WORDS, AFTER, st.text(max_size=6)), max_size=40).map("".join)
ANY_TEXT = st.one_of(SENTENCES, TEXTS)
SHORT_TEXT = ANY_TEXT.filter(lambda t: len(t) <= MAX_PENDING_CHARS)


def fragments(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    edges = [0, *points, len(text)]
    return [text[a:b] for a, b in pairwise(edges)]


def released(pieces: list[str]) -> list[str]:
    """What the session hands the engine: each released text, then the rest at the end."""
    buf = SentenceBuffer()
    out = [chunk for piece in pieces for chunk in buf.add(piece)]
    return [*out, buf.take_all()]


def spoken(chunks: list[str]) -> list[str]:
    """The sentences the engine speaks for those texts, in order."""
    return [sentence for chunk in chunks for sentence, _ in split_sentences(chunk)]


@SETTINGS
@given(text=ANY_TEXT, data=st.data())
def test_any_fragments_give_the_sentences_of_the_whole(text: str, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=20))
    whole = released([text])
    parts = released(fragments(text, cuts))
    assert spoken(parts) == spoken(whole)
    one_by_one = released(list(text))
    assert spoken(one_by_one) == spoken(whole)
    # Nothing lost, nothing repeated (only whitespace-only releases are dropped).
    assert "".join(parts).split() == text.split()


@SETTINGS
@given(text=SHORT_TEXT, data=st.data())
def test_released_sentences_are_the_engines_sentences(text: str, data: st.DataObject) -> None:
    # Short texts: no run-on cut, so every release is where the engine ends a sentence.
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=20))
    assert spoken(released(fragments(text, cuts))) == [s for s, _ in split_sentences(text)]


@SETTINGS
@given(text=ANY_TEXT, data=st.data())
def test_held_text_stays_bounded(text: str, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(text)), max_size=20))
    buf = SentenceBuffer()
    for piece in fragments(text, cuts):
        buf.add(piece)
        # a sure end may sit one past the bound (decided by its last space)
        assert len(buf.pending) <= MAX_PENDING_CHARS + 1
