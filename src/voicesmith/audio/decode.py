"""Decoding whole audio files a remote provider sends (MP3, WAV, ...) to mono float samples."""

from __future__ import annotations

import io

import numpy as np
import soxr  # type: ignore[import-untyped]
from numpy.typing import NDArray


def decode_to_mono(data: bytes, sample_rate: int) -> NDArray[np.float32]:
    """``data`` (any container FFmpeg reads) as float32 mono at ``sample_rate``.

    Raises ``ValueError`` when it is not decodable audio.
    """
    import av  # PyAV bundles FFmpeg; imported here so only its users pay for it

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = next(iter(container.streams.audio), None)
            if stream is None:
                raise ValueError("no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono")
            parts: list[NDArray[np.float32]] = []
            rate = int(stream.sample_rate or sample_rate)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    parts.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
    except av.FFmpegError as exc:
        raise ValueError(str(exc)) from exc
    mono = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if rate != sample_rate and mono.size:
        mono = soxr.resample(mono, rate, sample_rate, quality="HQ")
    return np.asarray(mono, dtype=np.float32)


def pcm16_to_float(data: bytes) -> NDArray[np.float32]:
    """Little-endian signed 16-bit PCM as float32 in [-1, 1)."""
    return (np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0)
