"""Fixtures for the cloning tests: real speech and an encoder for any format."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr
from numpy.typing import NDArray

# A 12.6 s LibriSpeech utterance (male speaker 1688) shipped with the eval tests.
SPEECH = Path(__file__).parents[1] / "evaluation" / "data" / "1688-142285-0001.flac"
HELD_OUT = Path(__file__).parents[1] / "evaluation" / "data" / "1688-142285-0004.flac"


@pytest.fixture(scope="session")
def speech() -> tuple[NDArray[np.float32], int]:
    samples, rate = sf.read(SPEECH, dtype="float32")
    return samples, int(rate)


def encode(samples: NDArray[np.float32], rate: int, *, container: str, codec: str,
           out_rate: int | None = None, channels: int = 1) -> bytes:
    """``samples`` (mono) encoded with PyAV as ``container``/``codec``, any rate/channels."""
    import av

    out_rate = out_rate or rate
    audio = samples if out_rate == rate else soxr.resample(samples, rate, out_rate)
    audio = np.asarray(audio, dtype=np.float32)
    planar = np.repeat(audio[None, :], channels, axis=0)
    layout = {1: "mono", 2: "stereo", 6: "5.1"}[channels]
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=container) as out:
        # FFmpeg's own Vorbis encoder is flagged experimental (no libvorbis here).
        stream = out.add_stream(codec, rate=out_rate, layout=layout,
                                options={"strict": "experimental"})
        fmt = stream.codec_context.codec.audio_formats[0].name
        frame_size = 1024
        resampler = av.AudioResampler(format=fmt, layout=layout, rate=out_rate)
        pts = 0
        for start in range(0, planar.shape[1], frame_size):
            block = np.ascontiguousarray(planar[:, start:start + frame_size])
            frame = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            frame.sample_rate = out_rate
            frame.pts = pts
            pts += block.shape[1]
            for converted in resampler.resample(frame):
                for packet in stream.encode(converted):
                    out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


@pytest.fixture(scope="session")
def encoder() -> Callable[..., bytes]:
    return encode
