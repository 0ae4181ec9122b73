"""Small numpy-only signal helpers for uploaded recordings.

No scipy: the server's install stays light, and every operation here is a
whole-signal FFT or a framed energy, fast enough on 60 s of audio.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

# Mains hum (50/60 Hz) and rumble read as voiced pitch and as "speech" energy;
# the lowest speaking voices sit around 75-80 Hz, so 70 Hz keeps them.
HIGH_PASS_HZ = 70.0
_HIGH_PASS_RAMP_HZ = 20.0  # a raised-cosine edge instead of a brick wall (no ringing)

FRAME_S = 0.02
HOP_S = 0.01
# A frame is speech if within this many dB of the loud frames (95th percentile)
# and above an absolute floor: relative, so a quiet but clean recording works.
_RELATIVE_DB = 35.0
_ABSOLUTE_FLOOR_DB = -60.0
# Pauses longer than this inside the speech are shortened to _KEEP_PAUSE_S: a
# clone's sample should be speech, not a long breath.
_MAX_PAUSE_S = 0.6
_KEEP_PAUSE_S = 0.3
_EDGE_PAD_S = 0.08
# Full scale, with a little room for lossy codecs' ringing around flat tops.
_CLIP_LEVEL = 0.99
_LOUD_LEVEL = 0.05


def high_pass(samples: NDArray[np.float32], sample_rate: int,
              cutoff_hz: float = HIGH_PASS_HZ) -> NDArray[np.float32]:
    """Zero-phase high-pass by FFT mask (cutoff at the top of a 20 Hz ramp)."""
    n = samples.size
    if n == 0:
        return samples
    spectrum = np.fft.rfft(samples.astype(np.float64))
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    low = cutoff_hz - _HIGH_PASS_RAMP_HZ
    ramp = np.clip((freqs - low) / _HIGH_PASS_RAMP_HZ, 0.0, 1.0)
    mask = 0.5 - 0.5 * np.cos(np.pi * ramp)
    return np.fft.irfft(spectrum * mask, n).astype(np.float32)


def frame_db(samples: NDArray[np.float32], sample_rate: int) -> NDArray[np.float64]:
    """RMS level in dBFS of 20 ms frames every 10 ms."""
    frame, hop = int(FRAME_S * sample_rate), int(HOP_S * sample_rate)
    if samples.size < frame:
        padded = np.zeros(frame, dtype=np.float64)
        padded[: samples.size] = samples
        samples = padded.astype(np.float32)
    n_frames = 1 + (samples.size - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n_frames)[:, None]
    power = np.mean(samples.astype(np.float64)[idx] ** 2, axis=1)
    return 10.0 * np.log10(power + 1e-12)


def speech_frames(samples: NDArray[np.float32], sample_rate: int) -> NDArray[np.bool_]:
    """Voice activity per 10 ms hop, from energy (see the thresholds above)."""
    levels = frame_db(samples, sample_rate)
    loud = float(np.percentile(levels, 95))
    threshold = max(_ABSOLUTE_FLOOR_DB, loud - _RELATIVE_DB)
    active = levels > threshold
    # Fill gaps under 100 ms (stops, short unvoiced consonants) and drop
    # blips under 50 ms (clicks), so the mask follows words, not noise.
    active = _close_gaps(active, 10)
    return _drop_short(active, 5)


def trim_to_speech(samples: NDArray[np.float32], active: NDArray[np.bool_], sample_rate: int,
                   *, max_speech_s: float) -> tuple[NDArray[np.float32], float]:
    """The speech in ``samples``: edges trimmed, long pauses shortened, then at
    most ``max_speech_s`` kept (cut at the quietest point of its last second,
    so the sample does not end mid-syllable where it can be avoided).

    Returns the audio and its duration in seconds ("speech after trimming":
    short pauses between words count, leading/trailing silence and the excess
    of long pauses do not).
    """
    hop, frame = int(HOP_S * sample_rate), int(FRAME_S * sample_rate)
    pad, keep = int(_EDGE_PAD_S * sample_rate), int(_KEEP_PAUSE_S * sample_rate)
    runs = _runs(active)
    pieces: list[NDArray[np.float32]] = []
    for i, (start, stop) in enumerate(runs):
        a = max(0, start * hop - pad)
        b = min(samples.size, stop * hop + frame + pad)
        if i + 1 < len(runs) and (runs[i + 1][0] - stop) * HOP_S <= _MAX_PAUSE_S:
            b = max(a, runs[i + 1][0] * hop - pad)  # a short pause is kept whole
        elif i + 1 < len(runs):
            b = min(samples.size, max(b, stop * hop + keep))
        pieces.append(samples[a:b])
    if not pieces:
        return np.zeros(0, dtype=np.float32), 0.0
    out = np.concatenate(pieces).astype(np.float32)
    limit = int(max_speech_s * sample_rate)
    if out.size > limit:
        window = out[max(0, limit - sample_rate): limit]
        levels = frame_db(window, sample_rate)
        cut = max(0, limit - sample_rate) + int(np.argmin(levels)) * hop
        out = out[: max(cut, limit // 2)].copy()
    return _fade(out, sample_rate), out.size / sample_rate


def clipped_fraction(channels: NDArray[np.float32]) -> float:
    """Share of the loud samples (|x| > 0.05) that sit at full scale, worst channel."""
    worst = 0.0
    for channel in np.atleast_2d(channels):
        mag = np.abs(channel)
        loud = int(np.count_nonzero(mag > _LOUD_LEVEL))
        if loud:
            worst = max(worst, np.count_nonzero(mag >= _CLIP_LEVEL) / loud)
    return float(worst)


def _runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the True runs of ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _close_gaps(mask: NDArray[np.bool_], max_gap: int) -> NDArray[np.bool_]:
    out = mask.copy()
    runs = _runs(mask)
    for (_, stop), (start, _) in pairwise(runs):
        if start - stop <= max_gap:
            out[stop:start] = True
    return out


def _drop_short(mask: NDArray[np.bool_], min_len: int) -> NDArray[np.bool_]:
    out = mask.copy()
    for start, stop in _runs(mask):
        if stop - start < min_len:
            out[start:stop] = False
    return out


def _fade(samples: NDArray[np.float32], sample_rate: int, fade_s: float = 0.01) -> NDArray[np.float32]:
    """10 ms fades at both ends: a hard cut clicks."""
    n = min(int(fade_s * sample_rate), samples.size // 2)
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        samples[:n] *= ramp
        samples[-n:] *= ramp[::-1]
    return samples
