"""The quick start: a stream's first piece cut short at a natural place, no word lost."""

from __future__ import annotations

import numpy as np
import pytest

from voicesmith.engine.kokoro import KokoroEngine
from voicesmith.engine.languages import AMERICAN_ENGLISH, CHINESE
from voicesmith.engine.lead import (
    FRAME_SECONDS,
    LEAD_MIN_FRAMES,
    LEAD_MIN_TOKENS,
    LEAD_SAFETY,
    decoder_lead,
    quick_start,
)
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


# A sentence as the front gives it: a 14-frame leading pad, then words of four
# 2-frame tokens and a 1-frame space, then the final pad.
SENTENCE = [14] + [2, 2, 2, 2, 1] * 12 + [6]
WORD_ENDS = [i for i in range(1, len(SENTENCE) - 1) if SENTENCE[i] == 1]


def _speech_frames(cut: int) -> int:
    return cut - SENTENCE[0]


def test_decoder_lead_ends_at_a_word_with_enough_speech() -> None:
    cut = decoder_lead(SENTENCE, WORD_ENDS, seconds_per_frame=0.002)
    assert cut is not None
    assert cut in {sum(SENTENCE[:i + 1]) for i in WORD_ENDS}  # at a word's end
    assert LEAD_MIN_FRAMES <= _speech_frames(cut) < LEAD_MIN_FRAMES + 9  # the first such end


def test_a_slower_decoder_gets_a_longer_lead_that_outlasts_the_whole_decode() -> None:
    fast = decoder_lead(SENTENCE, WORD_ENDS, seconds_per_frame=0.002)
    slow = decoder_lead(SENTENCE, WORD_ENDS, seconds_per_frame=0.005)
    assert fast is not None and slow is not None and slow > fast
    whole_decode_s = 0.005 * sum(SENTENCE)
    assert _speech_frames(slow) * FRAME_SECONDS >= LEAD_SAFETY * whole_decode_s


def test_no_lead_where_it_would_not_pay() -> None:
    # so slow that the lead would be most of the sentence
    assert decoder_lead(SENTENCE, WORD_ENDS, seconds_per_frame=0.02) is None
    # one long word: nowhere to cut
    assert decoder_lead(SENTENCE, [], seconds_per_frame=0.002) is None
    # a short sentence: the lead plus its context would be nearly all of it
    short = [14, 2, 2, 2, 2, 1, 2, 2, 2, 2, 1, 2, 2, 2, 2, 1, 2, 2, 6]
    ends = [i for i in range(1, len(short) - 1) if short[i] == 1]
    assert decoder_lead(short, ends, seconds_per_frame=0.002) is None
