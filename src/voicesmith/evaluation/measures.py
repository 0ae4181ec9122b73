"""Speech measures for evaluating synthesized (and cloned) voices.

One import point for the instruments, each in its own module:

==========================  =====================  ==============================
measure                     module                 instrument (optional extra)
==========================  =====================  ==============================
transcribe, word_error_rate ``asr``                faster-whisper + Whisper tiny.en
wer, normalize_text         ``text``               jiwer
median_f0, f0_stats         ``pitch``              praat-parselmouth
speaking_rate               ``rate``               numpy only (energy VAD)
speaker_similarity          ``speaker``            resemblyzer (torch)
naturalness_mos             ``quality``            DistillMOS (torch)
==========================  =====================  ==============================

Importing this module is cheap: every instrument is imported on first use,
and a missing one raises ImportError naming ``pip install -e .[eval]``. Models
are loaded once per process and cached. All functions take mono (or
multi-channel, averaged) float or integer PCM at any sample rate.
"""

from __future__ import annotations

from voicesmith.evaluation._common import EVAL_EXTRA_HINT
from voicesmith.evaluation.asr import ASR_SAMPLE_RATE, transcribe, word_error_rate
from voicesmith.evaluation.pitch import HIGH_PASS_HZ, F0Stats, f0_stats, median_f0, voiced_f0
from voicesmith.evaluation.quality import naturalness_mos
from voicesmith.evaluation.rate import speaking_rate, speech_mask, speech_seconds
from voicesmith.evaluation.speaker import cosine, speaker_embedding, speaker_similarity
from voicesmith.evaluation.text import count_syllables, normalize_text, number_to_words, wer

__all__ = [
    "ASR_SAMPLE_RATE",
    "EVAL_EXTRA_HINT",
    "HIGH_PASS_HZ",
    "F0Stats",
    "cosine",
    "count_syllables",
    "f0_stats",
    "median_f0",
    "naturalness_mos",
    "normalize_text",
    "number_to_words",
    "speaker_embedding",
    "speaker_similarity",
    "speaking_rate",
    "speech_mask",
    "speech_seconds",
    "transcribe",
    "voiced_f0",
    "wer",
    "word_error_rate",
]
