"""G.711 μ-law and A-law (the telephony codecs), vectorised with numpy.

The companding follows the classic Sun Microsystems reference (``g711.c``,
the code behind sox and CPython's old ``audioop``): μ-law works on the top 14
bits of a 16-bit sample, A-law on the top 13, each with 8 segments of 16
steps. Rather than evaluating the segment search per sample, we evaluate it
once for all 65536 possible int16 inputs at import time and encode by table
lookup, which is both exact and the fastest thing numpy can do.

Decoding tables (256 entries each) are provided too, so tests and clients can
turn telephony bytes back into PCM without ``audioop`` (removed in Python 3.13).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import float_to_s16

# Segment end points (inclusive) in the reduced-precision domains.
_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], dtype=np.int32)
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF], dtype=np.int32)
_ULAW_BIAS = 0x84  # 132: added so every segment starts on a power of two
_ULAW_CLIP = 8159  # largest 14-bit magnitude μ-law can represent


def _ulaw_table() -> NDArray[np.uint8]:
    """μ-law code for every int16, indexed by the int16's uint16 bit pattern."""
    lin = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.int32)
    val = lin >> 2  # 14-bit; arithmetic shift floors negatives, as the reference does
    negative = val < 0
    mask = np.where(negative, 0x7F, 0xFF)
    mag = np.minimum(np.where(negative, -val, val), _ULAW_CLIP) + (_ULAW_BIAS >> 2)
    # searchsorted(side="left") = first segment whose end >= mag, i.e. the reference's search()
    seg = np.searchsorted(_ULAW_SEG_END, mag, side="left")
    code = (seg << 4) | ((mag >> (np.minimum(seg, 7) + 1)) & 0xF)
    code = np.where(seg >= 8, 0x7F, code)  # beyond the last segment: the maximum code
    return (code ^ mask).astype(np.uint8)


def _alaw_table() -> NDArray[np.uint8]:
    """A-law code for every int16, indexed by the int16's uint16 bit pattern."""
    lin = np.arange(65536, dtype=np.uint16).view(np.int16).astype(np.int32)
    val = lin >> 3  # 13-bit
    negative = val < 0
    mask = np.where(negative, 0x55, 0xD5)  # even-bit inversion; sign bit set for positives
    mag = np.where(negative, -val - 1, val)
    seg = np.searchsorted(_ALAW_SEG_END, mag, side="left")
    shift = np.where(seg < 2, 1, np.minimum(seg, 7))
    code = (seg << 4) | ((mag >> shift) & 0xF)
    code = np.where(seg >= 8, 0x7F, code)
    return (code ^ mask).astype(np.uint8)


def _ulaw_decode_table() -> NDArray[np.int16]:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    t = (((u & 0x0F) << 3) + _ULAW_BIAS) << ((u & 0x70) >> 4)
    return np.where(u & 0x80, _ULAW_BIAS - t, t - _ULAW_BIAS).astype(np.int16)


def _alaw_decode_table() -> NDArray[np.int16]:
    a = np.arange(256, dtype=np.int32) ^ 0x55
    seg = (a & 0x70) >> 4
    t = (a & 0x0F) << 4
    t = np.where(seg == 0, t + 8, t + 0x108)
    t = np.where(seg > 1, t << np.maximum(seg - 1, 0), t)
    return np.where(a & 0x80, t, -t).astype(np.int16)


_LIN2ULAW = _ulaw_table()
_LIN2ALAW = _alaw_table()
_ULAW2LIN = _ulaw_decode_table()
_ALAW2LIN = _alaw_decode_table()


def s16_to_ulaw(samples: ArrayLike) -> bytes:
    """int16 samples -> μ-law bytes (one byte per sample)."""
    ints = np.asarray(samples, dtype=np.int16)
    return _LIN2ULAW[ints.view(np.uint16)].tobytes()


def s16_to_alaw(samples: ArrayLike) -> bytes:
    """int16 samples -> A-law bytes (one byte per sample)."""
    ints = np.asarray(samples, dtype=np.int16)
    return _LIN2ALAW[ints.view(np.uint16)].tobytes()


def float_to_ulaw(samples: ArrayLike) -> bytes:
    """float samples in [-1, 1] -> μ-law bytes, via the shared s16 conversion."""
    return s16_to_ulaw(float_to_s16(samples))


def float_to_alaw(samples: ArrayLike) -> bytes:
    """float samples in [-1, 1] -> A-law bytes, via the shared s16 conversion."""
    return s16_to_alaw(float_to_s16(samples))


def ulaw_to_s16(data: bytes) -> NDArray[np.int16]:
    """μ-law bytes -> int16 samples (the reference decoder's values)."""
    return _ULAW2LIN[np.frombuffer(data, dtype=np.uint8)]


def alaw_to_s16(data: bytes) -> NDArray[np.int16]:
    """A-law bytes -> int16 samples (the reference decoder's values)."""
    return _ALAW2LIN[np.frombuffer(data, dtype=np.uint8)]
