"""The quick start: a stream's first piece cut short at a natural place, no word lost."""

from __future__ import annotations

import numpy as np
import pytest

from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH, CHINESE
from voicesmith.engine.lead import LEAD_MIN_TOKENS, quick_start
from voicesmith.engine.text import CLAUSE_PAUSE, SENTENCE_PAUSE, Piece, plan_pieces


def chars(s: str) -> str:  # one "phoneme" per character: exact, predictable lengths
    return s


def planned(text: str) -> list[Piece]:
    return quick_start(plan_pieces(text, chars), chars)


def words(pieces: list[Piece]) -> list[str]:
    return " ".join(p.text for p in pieces).split()


def test_first_clause_becomes_the_lead() -> None:
    text = "Heavy rain moved across the region, closing two roads near the river. Next one."
    pieces = planned(text)
    assert [p.text for p in pieces] == [
        "Heavy rain moved across the region,", "closing two roads near the river.", "Next one."]
    assert [p.pause_after for p in pieces] == [CLAUSE_PAUSE, SENTENCE_PAUSE, 0.0]
    assert words(pieces) == text.split()


def test_too_short_a_first_clause_takes_the_next_one_with_it() -> None:
    text = "Hi, well, here we are today, all of us together in one room at last."
    lead = planned(text)[0]
    assert lead.text == "Hi, well, here we are today,"
    assert len(lead.phonemes) >= LEAD_MIN_TOKENS


@pytest.mark.parametrize("text", ["Welcome to the evening news.", "Yes, of course.",
                                  "Call me back, please."])
def test_a_short_sentence_is_left_whole(text: str) -> None:
    assert [p.text for p in planned(text)] == [text]


def test_a_long_clause_is_cut_at_a_word_before_a_connective() -> None:
    text = ("Our whole team went down to the old harbor with the boats and stayed there until "
            "the sun went down behind the hills.")
    pieces = planned(text)
    assert len(pieces) == 2
    lead, rest = pieces
    assert lead.pause_after == 0.0 and rest.pause_after == 0.0
    assert rest.text.split()[0] in ("to", "with")  # where a speaker breathes, near the target
    assert 3 <= len(lead.text.split()) <= 12
    assert words(pieces) == text.split()


def test_later_pieces_are_untouched() -> None:
    text = "To begin with, here is a clause. Second sentence, with a comma in it. Third."
    plain, quick = plan_pieces(text, chars), planned(text)
    assert quick[2:] == plain[1:]


def test_text_without_spaces_is_cut_only_at_clause_marks() -> None:
    long_clause = "这是一个没有任何标点符号的很长很长的句子它一直说下去直到最后才结束" * 2
    assert planned(long_clause + "。")[0].text == long_clause + "。"
    assert [p.text for p in planned("今天天气很好我们一起去公园散步吧，然后一起回家吃一顿好饭。")] == [
        "今天天气很好我们一起去公园散步吧，", "然后一起回家吃一顿好饭。"]


def test_nothing_to_cut_returns_the_plan() -> None:
    assert quick_start([], chars) == []


def test_engine_streams_a_short_first_chunk_with_the_same_words(tiny_engine: KokoroEngine) -> None:
    voice = next(iter(tiny_engine.stock_voices.values())).style
    text = ("Heavy rain moved across the region this afternoon, closing two roads near the "
            "river. Crews expect to reopen both roads by morning.")
    plain = list(tiny_engine.synthesize(text, voice, AMERICAN_ENGLISH))
    quick = list(tiny_engine.synthesize(text, voice, AMERICAN_ENGLISH, quick_start=True))
    assert len(quick) == len(plain) + 1
    assert quick[0].samples.size < plain[0].samples.size
    assert " ".join(c.text for c in quick).split() == text.split()
    assert [c.index for c in quick] == list(range(len(quick))) and quick[-1].is_last
    # the sentences after the first are synthesized exactly as before
    assert np.array_equal(quick[-1].samples, plain[-1].samples)
    # another script goes through the same path
    assert list(tiny_engine.synthesize("你好，世界。", voice, CHINESE, quick_start=True))
