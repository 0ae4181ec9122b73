"""WAV (RIFF, 16-bit PCM) writing for whole files and for streams.

Whole file (``encode_wav``): the audio is all there, so the header carries the
exact RIFF and data sizes. Use it for base64 responses, cached audio and
anything else that is produced before it is sent.

Streamed (``wav_header(..., data_size=None)``): the header must leave before we
know how long the audio will be, so both size fields hold ``0xFFFFFFFF``
(``STREAMING_SIZE``), the common convention for "unknown, read to the end of
the stream". libsndfile (hence ``soundfile``), FFmpeg, sox, browsers and
Python's ``wave`` module all read such a file to its real end. Nothing is
written after the header but PCM data, so the concatenation of every streamed
piece is a complete file. When a streamed WAV is kept (e.g. cached) it can be
given exact sizes afterwards with ``finalize_wav``.
"""

from __future__ import annotations

import io
import struct

import numpy as np
import soundfile as sf  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.pcm import s16le_bytes

HEADER_SIZE = 44
STREAMING_SIZE = 0xFFFFFFFF
_BITS = 16
_FORMAT_PCM = 1


def wav_header(sample_rate: int, channels: int = 1, data_size: int | None = None) -> bytes:
    """The 44-byte canonical header for 16-bit PCM.

    ``data_size`` is the PCM payload in bytes; ``None`` means "streaming,
    unknown": both size fields are then ``0xFFFFFFFF``.
    """
    if data_size is None:
        riff_size = data_len = STREAMING_SIZE
    else:
        if data_size < 0 or data_size > STREAMING_SIZE - (HEADER_SIZE - 8):
            raise ValueError(f"a WAV cannot hold {data_size} bytes of audio (4 GiB limit)")
        data_len = data_size
        # RIFF chunks are padded to even length; the pad byte counts in the RIFF size
        riff_size = HEADER_SIZE - 8 + data_size + (data_size & 1)
    block_align = channels * _BITS // 8
    return (
        b"RIFF" + struct.pack("<I", riff_size) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, _FORMAT_PCM, channels, sample_rate,
                                sample_rate * block_align, block_align, _BITS)
        + b"data" + struct.pack("<I", data_len)
    )


def encode_wav(samples: ArrayLike, sample_rate: int, channels: int = 1) -> bytes:
    """A complete 16-bit PCM WAV with exact sizes; samples are clipped to [-1, 1].

    ``samples`` is (n,) for mono or (n, channels).
    """
    pcm = s16le_bytes(samples)
    return wav_header(sample_rate, channels, len(pcm)) + pcm + (b"\0" if len(pcm) & 1 else b"")


def finalize_wav(data: bytes) -> bytes:
    """Give a streamed WAV (sizes ``0xFFFFFFFF``) its exact sizes.

    Only for the canonical 44-byte header this module writes; anything else is
    returned unchanged rather than guessed at.
    """
    if len(data) < HEADER_SIZE or data[:4] != b"RIFF" or data[36:40] != b"data":
        return data
    payload = len(data) - HEADER_SIZE
    channels, sample_rate = struct.unpack_from("<HI", data, 22)
    return wav_header(sample_rate, channels, payload) + data[HEADER_SIZE:]


def decode_wav(data: bytes) -> tuple[NDArray[np.float32], int]:
    """Any WAV soundfile can read -> (float32 samples, sample rate)."""
    samples, sample_rate = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return samples, sample_rate
