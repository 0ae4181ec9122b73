"""Engine audio -> the bytes a client asked for: volume, resampling, encoding.

``AudioOutput`` is what the HTTP and WebSocket layers hold for one request::

    out = AudioOutput("mulaw", 8000, volume=1.2)   # 422-worthy errors raise here
    for chunk in engine.synthesize(...):
        send(out.write_chunk(chunk))                # may be b"": nothing ready yet
    send(out.finish())                              # the rest; the whole is one file

and ``out.close()`` if the client goes away. ``encode_audio`` does the same in
one call for audio that is complete (base64 responses, caches), producing the
whole-file form (exact WAV sizes, MP3 gapless header, FLAC sample count).

The order is gain, then resampling, then encoding: gain first so that the
clipping it may cause happens once, on the engine's samples, and the
resampler's band-limiting then smooths it instead of the codec seeing it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import numpy as np
from numpy.typing import ArrayLike

from voicesmith.audio.encoders import StreamEncoder, open_encoder
from voicesmith.audio.formats import (
    AudioFormat,
    content_type,
    encoder_rate,
    format_spec,
    parse_format,
    resolve_sample_rate,
)
from voicesmith.audio.pcm import apply_volume, as_samples, check_volume
from voicesmith.audio.resample import DEFAULT_QUALITY, Quality, StreamResampler
from voicesmith.engine.base import SAMPLE_RATE as ENGINE_RATE
from voicesmith.engine.base import AudioChunk


class AudioOutput:
    """One request's output stream. Not thread-safe: one producer at a time."""

    def __init__(
        self,
        fmt: str | AudioFormat,
        sample_rate: int | None = None,
        *,
        volume: float = 1.0,
        input_rate: int = ENGINE_RATE,
        streaming: bool = True,
        quality: Quality = DEFAULT_QUALITY,
    ) -> None:
        self.format = parse_format(fmt)
        # The rate the client asked for (or the format's default): what to report
        self.sample_rate = resolve_sample_rate(self.format, sample_rate)
        # The rate actually encoded: differs only for Opus at 22050/44100 Hz
        self.encoder_rate = encoder_rate(self.format, self.sample_rate)
        self.volume = check_volume(volume)
        self.input_rate = input_rate
        self.media_type = content_type(self.format, self.encoder_rate)
        self.extension = format_spec(self.format).extension
        self._resampler = StreamResampler(input_rate, self.encoder_rate, quality=quality)
        self._encoder: StreamEncoder = open_encoder(self.format, self.encoder_rate, streaming=streaming)
        self.bytes_out = 0
        self._finished = False

    def write(self, samples: ArrayLike) -> bytes:
        """Mono float samples at ``input_rate``; returns the bytes ready now."""
        block = as_samples(samples)
        if self.volume != 1.0:
            block = apply_volume(block, self.volume)
        data = self._encoder.encode(self._resampler.process(block))
        self.bytes_out += len(data)
        return data

    def write_chunk(self, chunk: AudioChunk) -> bytes:
        if chunk.sample_rate != self.input_rate:
            raise ValueError(
                f"chunk is at {chunk.sample_rate} Hz but this output expects {self.input_rate} Hz"
            )
        return self.write(chunk.samples)

    def finish(self) -> bytes:
        """Flush the resampler and the encoder; the last bytes of the file."""
        if self._finished:
            raise RuntimeError("the audio output is already finished")
        self._finished = True
        tail = self._resampler.flush()
        data = (self._encoder.encode(tail) if tail.shape[0] else b"") + self._encoder.finish()
        self.bytes_out += len(data)
        return data

    def close(self) -> None:
        """Abandon the output (client gone, synthesis failed); safe to call twice."""
        if not self._finished:
            self._finished = True
            self._encoder.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def encode_audio(
    samples: ArrayLike,
    fmt: str | AudioFormat,
    sample_rate: int | None = None,
    *,
    volume: float = 1.0,
    input_rate: int = ENGINE_RATE,
) -> bytes:
    """Complete mono audio at ``input_rate`` -> one whole file in ``fmt`` (non-streamed form)."""
    with AudioOutput(fmt, sample_rate, volume=volume, input_rate=input_rate, streaming=False) as out:
        return out.write(np.asarray(samples, dtype=np.float32)) + out.finish()
