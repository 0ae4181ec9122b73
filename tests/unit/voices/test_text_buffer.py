from __future__ import annotations

from voicesmith.voices.text_buffer import MAX_PENDING_CHARS, SentenceBuffer


def test_fragments_are_released_at_sentence_ends_only() -> None:
    buf = SentenceBuffer()
    assert buf.add("Hello") == []
    assert buf.add(" there, how") == []
    assert buf.add(" are you? I am") == ["Hello there, how are you? "]
    assert buf.pending == "I am"
    assert buf.add(' fine." Next') == ['I am fine." ']
    assert buf.take_all() == "Next"
    assert buf.pending == ""


def test_a_full_stop_without_following_space_waits_for_more_text() -> None:
    # "3." may be the start of "3.5": only whitespace after the stop ends a sentence.
    buf = SentenceBuffer()
    assert buf.add("It costs 3.") == []
    assert buf.add("5 dollars. Ok") == ["It costs 3.5 dollars. "]


def test_run_on_text_is_released_at_a_clause_or_word_and_nothing_is_lost() -> None:
    buf = SentenceBuffer()
    words = " ".join(f"word{i}" for i in range(200))
    released = buf.add(words)
    assert released and all(len(t) <= MAX_PENDING_CHARS for t in released)
    assert "".join(released) + buf.take_all() == words
    buf2 = SentenceBuffer()
    clause = "a" * 300 + ", " + "b" * 200
    out = buf2.add(clause)
    assert out == ["a" * 300 + ", "]


def test_clear_drops_pending_text() -> None:
    buf = SentenceBuffer()
    buf.add("half a sent")
    buf.clear()
    assert buf.take_all() == ""
