"""Sample-level helpers shared by every encoder: input checks, gain, float <-> s16.

The engine produces float32 in [-1, 1]. Every integer format we emit is built
from the same 16-bit conversion (``float_to_s16``), so raw PCM, WAV, G.711 and
FLAC all agree to the bit on what a given float sample becomes.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.errors import ValidationError

# Volume is a linear amplitude factor (1.0 = unchanged). Telnyx documents 0.5..2.0
# for the voices that honour it; we also accept anything down to 0 (0 = silence),
# because a quieter prompt is a legitimate request and costs nothing to allow.
MIN_VOLUME = 0.0
MAX_VOLUME = 2.0
# Full scale for s16 is 32767, not 32768: scaling by 32767 keeps +1.0 and -1.0
# symmetric and never overflows after rounding (libsndfile does the same).
S16_SCALE = 32767.0


class AudioFormatError(ValidationError, ValueError):
    """An output format, sample rate or volume the client asked for is not served.

    A ``ValidationError`` so the API's one error translator answers 422 with the
    Telnyx envelope; also a ``ValueError`` for callers outside the API.
    """


def as_samples(samples: ArrayLike, channels: int = 1) -> NDArray[np.float32]:
    """Check and normalise an input block to float32, (n,) for mono or (n, channels).

    Copies only when the dtype or layout requires it; never modifies the input.
    """
    arr = np.asarray(samples)
    if arr.dtype != np.float32:
        if not np.issubdtype(arr.dtype, np.floating):
            raise TypeError(f"audio samples must be floating point, got {arr.dtype}")
        arr = arr.astype(np.float32)
    if channels == 1:
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise ValueError(f"mono samples must be 1-D, got shape {arr.shape}")
    elif arr.ndim != 2 or arr.shape[1] != channels:
        raise ValueError(f"{channels}-channel samples must have shape (n, {channels}), got {arr.shape}")
    return np.ascontiguousarray(arr)


def as_mono_float(samples: ArrayLike) -> NDArray[np.float32]:
    """Return ``samples`` as a contiguous 1-D float32 array in [-1, 1].

    Accepts mono, (n, channels) or (channels, n) arrays and int16/int32 PCM, so
    callers can pass whatever soundfile or the engine gave them.
    """
    arr = np.asarray(samples)
    if arr.dtype.kind in "iu":
        # Integer PCM: scale by the type's full range, not by the peak, so
        # relative loudness (which the VAD and MOS care about) is kept.
        info = np.iinfo(arr.dtype)
        arr = arr.astype(np.float64) / max(abs(info.min), info.max)
    arr = arr.astype(np.float32, copy=False)
    if arr.ndim == 2:
        # Channels are the short axis; average them.
        axis = 1 if arr.shape[0] >= arr.shape[1] else 0
        arr = arr.mean(axis=axis)
    if arr.ndim != 1:
        raise ValueError(f"expected mono or 2-D audio, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError("audio is empty")
    if not np.all(np.isfinite(arr)):
        raise ValueError("audio contains NaN or infinite samples")
    return np.ascontiguousarray(arr)


def check_volume(volume: float) -> float:
    """Validate a volume (linear gain); raise ``AudioFormatError`` outside [0, 2]."""
    value = float(volume)
    if not math.isfinite(value) or not MIN_VOLUME <= value <= MAX_VOLUME:
        raise AudioFormatError(
            f"volume must be a number from {MIN_VOLUME:g} to {MAX_VOLUME:g} "
            f"(a linear gain, 1 = unchanged), got {volume!r}"
        )
    return value


def apply_volume(samples: ArrayLike, volume: float) -> NDArray[np.float32]:
    """Scale by the linear factor ``volume`` and clip the result to [-1, 1].

    ``volume`` = 1.0 leaves in-range samples unchanged; 0.5 is -6 dB, 2.0 is
    +6 dB. Clipping (not limiting) is deliberate: it is what every
    integer format would do anyway, and doing it here in float keeps the
    behaviour identical across formats. Raises ``AudioFormatError`` for a
    volume outside [0, 2].
    """
    value = check_volume(volume)
    arr = np.asarray(samples, dtype=np.float32)
    if value != 1.0:
        arr = arr * np.float32(value)
    return np.clip(arr, -1.0, 1.0)


def float_to_s16(samples: ArrayLike) -> NDArray[np.int16]:
    """float in [-1, 1] -> little-endian-ready int16 (clipped, rounded to nearest)."""
    arr = np.asarray(samples, dtype=np.float32)
    scaled = np.rint(np.clip(arr, -1.0, 1.0) * np.float32(S16_SCALE))
    return scaled.astype(np.int16)


def s16_to_float(samples: ArrayLike) -> NDArray[np.float32]:
    """int16 -> float32 in [-1, 1] (inverse of ``float_to_s16`` up to rounding)."""
    return (np.asarray(samples, dtype=np.int16).astype(np.float32) / np.float32(S16_SCALE))


def s16le_bytes(samples: ArrayLike) -> bytes:
    """float samples -> raw signed 16-bit little-endian bytes (interleaved if 2-D)."""
    return float_to_s16(samples).astype("<i2", copy=False).tobytes()


def s16le_to_float(data: bytes, channels: int = 1) -> NDArray[np.float32]:
    """Raw s16le bytes -> float32, shape (n,) or (n, channels). For tests and clients."""
    ints = np.frombuffer(data, dtype="<i2")
    out = s16_to_float(ints)
    return out if channels == 1 else out.reshape(-1, channels)
