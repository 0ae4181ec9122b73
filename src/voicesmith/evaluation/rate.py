"""Speaking rate: syllables of the script per second of actual speech.

Pauses are trimmed, so the figure is an articulation rate: a voice that reads
at the same pace but pauses longer between sentences scores the same. That is
what a "speed" control should move, and it keeps leading/trailing silence
(which TTS engines add in varying amounts) out of the figure.

The VAD is a plain energy gate, not webrtcvad or a neural VAD: it needs no
extra package, is deterministic, and on clean TTS output or read speech the
speech/pause contrast is tens of dB, which an energy gate resolves well.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import as_mono_float
from voicesmith.evaluation._common import check_rate
from voicesmith.evaluation.text import count_syllables

__all__ = ["speaking_rate", "speech_mask", "speech_seconds"]

_FRAME_S = 0.025
_HOP_S = 0.010
# Gaps shorter than this are part of speech (stop closures, fast word joins);
# longer ones are pauses and are not counted.
_MIN_PAUSE_S = 0.20
# Bursts shorter than this are clicks or breaths, not speech.
_MIN_SPEECH_S = 0.06
# Gate placement between the noise floor and the speech peak, in dB.
_GATE_FRACTION = 0.3
_MAX_BELOW_PEAK_DB = 35.0
_DB_FLOOR = -120.0


def _frame_db(audio: NDArray[np.float32], rate: int) -> NDArray[np.float64]:
    frame = max(1, round(_FRAME_S * rate))
    hop = max(1, round(_HOP_S * rate))
    if audio.size < frame:
        audio = np.pad(audio, (0, frame - audio.size))
    n_frames = 1 + (audio.size - frame) // hop
    # Strided view: (n_frames, frame) without copying the signal.
    frames = np.lib.stride_tricks.as_strided(
        audio, shape=(n_frames, frame), strides=(audio.strides[0] * hop, audio.strides[0])
    ).astype(np.float64)
    frames = frames - frames.mean(axis=1, keepdims=True)  # DC offset is not speech
    power = np.mean(frames**2, axis=1)
    db: NDArray[np.float64] = np.maximum(10.0 * np.log10(power + 1e-20), _DB_FLOOR)
    return db


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int, bool]]:
    """(start, end, value) of each run of equal values in ``mask``."""
    edges = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    bounds = np.concatenate(([0], edges, [mask.size]))
    return [(int(a), int(b), bool(mask[a])) for a, b in itertools.pairwise(bounds)]


def speech_mask(samples: ArrayLike, sample_rate: int) -> NDArray[np.bool_]:
    """Per 10 ms frame: True where someone is speaking.

    The gate sits 30% of the way from the noise floor (5th percentile frame
    energy) to the speech level (99th percentile), but never more than 35 dB
    below the speech level (about the dynamic range of speech), so digital
    silence (floor -120 dB) does not drag it down to where breath noise and
    reverberation tails count as speech. Then short pauses are filled and
    short bursts dropped (see the constants above).

    The floor estimate assumes one steady background: a noisy recording
    padded with digital silence gets a gate below its own noise, and its
    noise is counted as speech. TTS output (clean) and whole recordings are fine.
    """
    audio = as_mono_float(samples)
    rate = check_rate(sample_rate)
    db = _frame_db(audio, rate)
    floor, peak = np.percentile(db, [5, 99])
    if peak - floor < 6.0:
        # No contrast at all: a steady tone, constant noise or silence. Without
        # a pause to compare with, energy cannot tell speech from background.
        return np.full(db.size, peak > _DB_FLOOR + 1.0)
    gate = max(floor + _GATE_FRACTION * (peak - floor), peak - _MAX_BELOW_PEAK_DB)
    mask: NDArray[np.bool_] = db > gate
    min_pause = round(_MIN_PAUSE_S / _HOP_S)
    min_speech = round(_MIN_SPEECH_S / _HOP_S)
    for start, end, on in _runs(mask):
        # Inner pauses only: leading/trailing silence stays silence.
        if not on and end - start < min_pause and start > 0 and end < mask.size:
            mask[start:end] = True
    for start, end, on in _runs(mask):
        if on and end - start < min_speech:
            mask[start:end] = False
    return mask


def speech_seconds(samples: ArrayLike, sample_rate: int) -> float:
    """Seconds of speech in ``samples``, pauses of 0.2 s or more excluded."""
    return float(np.count_nonzero(speech_mask(samples, sample_rate))) * _HOP_S


def speaking_rate(samples: ArrayLike, sample_rate: int, text: str) -> float:
    """Syllables per second of speech (articulation rate) for audio reading ``text``.

    Syllables come from the text (vowel-group heuristic), durations from the
    audio with pauses trimmed. Typical English read speech: 4-6 syl/s. Raises
    ValueError when no speech is detected or the text has no words.
    """
    syllables = count_syllables(text)
    if syllables == 0:
        raise ValueError("text has no words to count syllables in")
    seconds = speech_seconds(samples, sample_rate)
    if seconds <= 0.0:
        raise ValueError("no speech detected in the audio")
    return syllables / seconds
