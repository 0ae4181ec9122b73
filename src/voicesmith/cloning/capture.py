"""Capturing a speaker from a recording as a voice of the engine: a one-way pipeline.

The engine has no reference-audio encoder, so capture is a search scored by a
speaker encoder (``speaker_encoder``) against the recording:

1. **Reference**: the recording's embedding, the embeddings of its two
   halves (each a held-out check on the other) and its measured features
   (F0 level and range, spectral tilt, level).
2. **Gender gate**: given, or from the median F0 (< 165 Hz: male). Absolute:
   only voices of that gender are searched, because the speaker encoder alone
   picked the wrong gender for 3 of 10 speakers.
3. **Style** (``style_search``): the blend that best fits the recording
   through a linear map fitted on the shipped voice bank (``voice_bank``),
   verified by synthesizing a probe, against the nearest bank voice.
4. **Transform** (``transform_fit``): F0, F0 range, formants, tilt and
   breath, each measured, rendered on the winner's probe and kept only if it
   raises similarity to both halves.

The result is a style (stored with the clone) and an optional transform,
rendered at synthesis by the same stage designs use, so a clone speaks
exactly as it was scored. The search is deterministic.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from voicesmith.cloning.recording import Recording
from voicesmith.cloning.speaker_encoder import Embedder
from voicesmith.cloning.stock import PROBE_TEXT, candidate_pool
from voicesmith.cloning.style_search import search_style
from voicesmith.cloning.transform_fit import VoiceFeatures, fit_transform, measure_features
from voicesmith.cloning.voice_bank import CaptureBank
from voicesmith.engine.base import SAMPLE_RATE, SpeechEngine, VoiceStyle
from voicesmith.engine.languages import AMERICAN_ENGLISH, Language
from voicesmith.errors import ValidationError

MALE_F0_BELOW_HZ = 165.0
GENDERS = ("female", "male")
# Under this much audio the halves would be too short to embed reliably; both
# "halves" are then the whole recording (no held-out check, only the threshold).
MIN_SPLIT_S = 4.0


@dataclass(frozen=True)
class CapturedVoice:
    """A captured speaker: a style, an optional synthesis-time transform, and why."""

    style: VoiceStyle
    postprocess: dict[str, Any] | None
    gender: str
    report: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Reference:
    embedding: NDArray[np.float64]
    halves: tuple[NDArray[np.float64], NDArray[np.float64]]
    features: VoiceFeatures


def capture_voice(
    recording: Recording,
    engine: SpeechEngine,
    *,
    gender: str | None,
    language: Language,
    bank: CaptureBank,
    embed: Embedder,
    seed: int = 0,
    use_transform: bool = True,
    reference: Reference | None = None,
) -> CapturedVoice:
    """Fit a voice to ``recording`` (see module docstring).

    ``bank`` should be shared across captures of one engine. ``reference``
    is ``measure_reference(recording, embed)`` when the caller has it already.
    ``seed`` is recorded for reproducibility of later, stochastic searches
    and does not change this one.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    ref = reference or measure_reference(recording, embed)
    chosen_gender, gender_source = _gender(gender, ref.features.median_f0_hz)
    pool = candidate_pool(engine.stock_voices.values(), language, chosen_gender)
    if not pool:
        raise ValidationError(f"The engine has no {chosen_gender} voice to clone with.",
                              pointer="/gender")
    voice_bank, rows = bank.for_pool(pool, chosen_gender)
    # Speaker identity is (nearly) language independent and every voice can
    # read English, so the probe (the bank's) is English whatever the clone's language.
    match = search_style(voice_bank, rows, ref.embedding, engine, embed,
                         (PROBE_TEXT, AMERICAN_ENGLISH))
    t_style = time.perf_counter() - t0
    fit = (fit_transform(match.probe, SAMPLE_RATE, ref.halves, ref.features, embed)
           if use_transform else None)
    transform = fit.transform if fit is not None and not fit.transform.is_identity else None
    params = transform.to_dict() if transform is not None else None

    report: dict[str, Any] = {
        "method": "voice bank + fitted blend" + (" + fitted voice transform" if use_transform else ""),
        "seed": seed,
        "gender": chosen_gender,
        "gender_source": gender_source,
        "reference": {**ref.features.to_dict(), "speech_s": _r(recording.speech_duration_s)},
        "bank": bank.kind,
        "style": {**match.report, "similarity": _r(match.similarity)},
        # the closest stock voice, where a capture without the bank would stop
        "baseline": max(pool, key=lambda v: float(bank.stock_embedding(v) @ ref.embedding)).name,
        "selected": {"name": match.label, "postprocess": params,
                     # the style's, to the whole recording (the transform's: to its halves)
                     "similarity": _r(match.similarity),
                     "similarity_halves": _r(fit.score) if fit else None},
        "timing_s": {"style": _r(t_style), "wall": _r(time.perf_counter() - t0),
                     "cpu": _r(time.process_time() - c0)},
    }
    if fit is not None:
        report["transform_search"] = {"plain_similarity_halves": _r(fit.plain_score),
                                      "steps": fit.steps}
    return CapturedVoice(style=match.style, postprocess=params, gender=chosen_gender,
                         report=report)


def measure_reference(recording: Recording, embed: Embedder) -> Reference:
    samples, rate = recording.samples, recording.sample_rate
    whole = np.asarray(embed(samples, rate), np.float64)
    if samples.size >= MIN_SPLIT_S * rate:
        mid = samples.size // 2
        halves = (np.asarray(embed(samples[:mid], rate), np.float64),
                  np.asarray(embed(samples[mid:], rate), np.float64))
    else:
        halves = (whole, whole)
    return Reference(whole, halves, measure_features(samples, rate))


def _gender(given: str | None, ref_f0: float) -> tuple[str, str]:
    if given:
        value = given.strip().lower()
        if value not in GENDERS:
            raise ValidationError(f"gender must be 'male' or 'female', got {given!r}.",
                                  pointer="/gender")
        return value, "given"
    if math.isnan(ref_f0):
        raise ValidationError(
            "No voiced speech was found in the recording, so its gender cannot be told; "
            "upload clear speech or set the gender field.", pointer="/audio_file")
    return ("male" if ref_f0 < MALE_F0_BELOW_HZ else "female"), "median_f0"


def _r(x: float) -> float:
    return round(float(x), 4)
