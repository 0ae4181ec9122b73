"""Shared test helpers: a test tone, irregular feeding, decoding any output back."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable, Iterator

import av
import numpy as np
import soundfile as sf
from numpy.typing import NDArray

from voicesmith.audio.formats import AudioFormat
from voicesmith.audio.g711 import alaw_to_s16, ulaw_to_s16
from voicesmith.audio.pcm import s16_to_float, s16le_to_float

ENGINE_RATE = 24_000
# Deliberately awkward: a 1-sample and an empty block, sizes that straddle every
# codec frame size (160..4608) and the resampler's internal blocks.
CHUNK_SIZES = (7, 960, 5000, 123, 1, 0, 2400, 333)


def tone(seconds: float, rate: int = ENGINE_RATE, freq: float = 440.0, amp: float = 0.5) -> NDArray[np.float32]:
    t = np.arange(round(seconds * rate)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def irregular_chunks(samples: NDArray[np.float32], sizes: tuple[int, ...] = CHUNK_SIZES) -> Iterator[NDArray[np.float32]]:
    start, k = 0, 0
    while start < len(samples):
        size = sizes[k % len(sizes)]
        yield samples[start:start + size]
        start += size
        k += 1


def feed(write: Callable[[NDArray[np.float32]], bytes], samples: NDArray[np.float32]) -> list[bytes]:
    """Feed ``samples`` in irregular chunks; the bytes each call returned."""
    return [write(chunk) for chunk in irregular_chunks(samples)]


def decode_av(data: bytes) -> tuple[NDArray[np.float32], int]:
    """Decode with FFmpeg, flushing the decoder (container.decode() would drop its tail)."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        ctx = stream.codec_context
        parts: list[NDArray[np.float32]] = []
        for packet in container.demux(stream):
            for frame in ctx.decode(packet if packet.size else None):
                arr = frame.to_ndarray()
                # planar float (fltp) for lossy codecs, s16 for FLAC: mono in both cases
                if arr.dtype == np.int16:
                    arr = s16_to_float(arr)
                parts.append(arr.reshape(-1).astype(np.float32))
        return np.concatenate(parts), ctx.sample_rate


def decode(data: bytes, fmt: AudioFormat, rate: int) -> tuple[NDArray[np.float32], int]:
    """Any of our outputs -> (mono float samples, decoded sample rate)."""
    if fmt is AudioFormat.PCM:
        return s16le_to_float(data), rate
    if fmt is AudioFormat.MULAW:
        return s16_to_float(ulaw_to_s16(data)), rate
    if fmt is AudioFormat.ALAW:
        return s16_to_float(alaw_to_s16(data)), rate
    if fmt is AudioFormat.WAV:
        samples, sr = sf.read(io.BytesIO(data), dtype="float32")
        return samples, sr
    return decode_av(data)


def dominant_frequency(samples: NDArray[np.float32], rate: int) -> float:
    """Peak of the spectrum, skipping 0.1 s at each end (codec onsets, padding)."""
    trim = rate // 10
    body = samples[trim:-trim] if len(samples) > 4 * trim else samples
    spectrum = np.abs(np.fft.rfft(body * np.hanning(len(body)), n=8 * len(body)))
    return float(np.argmax(spectrum) * rate / (8 * len(body)))


def opus_head_rate(data: bytes) -> int:
    """The 'input sample rate' field of an Ogg Opus stream's OpusHead (RFC 7845 §5.1)."""
    at = data.find(b"OpusHead")
    assert at >= 0, "no OpusHead"
    return struct.unpack_from("<I", data, at + 12)[0]
