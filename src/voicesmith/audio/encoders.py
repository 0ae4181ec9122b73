"""Per-request stateful encoders: float samples in, bytes of one valid file out.

Every encoder has the same life: ``encode(samples)`` any number of times, each
returning the bytes ready now (possibly ``b""``), then ``finish()`` once,
returning the rest. The concatenation of all returned bytes is a complete,
valid file (or raw stream). ``close()`` abandons an encoder without output,
e.g. when the client disconnected; it is a no-op after ``finish``.

The raw formats (PCM s16le, μ-law, A-law) and WAV are stateless per sample, so
their bytes leave immediately; the compressed ones (``codec_av``) hold back up
to a frame or two (see their docstrings).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from numpy.typing import ArrayLike

from voicesmith.audio.formats import AudioFormat, parse_format
from voicesmith.audio.g711 import float_to_alaw, float_to_ulaw
from voicesmith.audio.pcm import as_samples, s16le_bytes
from voicesmith.audio.wav import wav_header


@runtime_checkable
class StreamEncoder(Protocol):
    format: AudioFormat
    sample_rate: int
    channels: int

    def encode(self, samples: ArrayLike) -> bytes:
        """Feed float32 samples at ``sample_rate``: (n,) mono or (n, channels)."""
        ...

    def finish(self) -> bytes:
        """Flush everything held back; the encoder cannot be used afterwards."""
        ...

    def close(self) -> None:
        """Drop the encoder without finishing it."""
        ...


# Header-less formats and how one block of float samples becomes their bytes
RAW_CONVERTERS: Mapping[AudioFormat, Callable[[ArrayLike], bytes]] = MappingProxyType({
    AudioFormat.PCM: s16le_bytes,
    AudioFormat.MULAW: float_to_ulaw,
    AudioFormat.ALAW: float_to_alaw,
})


class RawEncoder:
    """Header-less PCM s16le, μ-law or A-law: each sample becomes bytes at once."""

    def __init__(self, fmt: AudioFormat, sample_rate: int, *, channels: int = 1) -> None:
        if fmt not in RAW_CONVERTERS:
            raise ValueError(f"{fmt} is not a raw format")
        self.format = fmt
        self.sample_rate = sample_rate
        self.channels = channels
        self._convert = RAW_CONVERTERS[fmt]
        self._done = False

    def encode(self, samples: ArrayLike) -> bytes:
        if self._done:
            raise RuntimeError(f"the {self.format.value} encoder is already finished")
        return self._convert(as_samples(samples, self.channels))

    def finish(self) -> bytes:
        if self._done:
            raise RuntimeError(f"the {self.format.value} encoder is already finished")
        self._done = True
        return b""

    def close(self) -> None:
        self._done = True


class WavStreamEncoder(RawEncoder):
    """16-bit PCM WAV for streaming: the header goes out with the first bytes.

    Its RIFF and data sizes are ``0xFFFFFFFF`` ("unknown, read to the end"),
    see ``voicesmith.audio.wav``. The header is emitted even for an empty
    stream, so ``finish()`` of an encoder that never got audio is still a WAV.
    """

    def __init__(self, sample_rate: int, *, channels: int = 1) -> None:
        super().__init__(AudioFormat.PCM, sample_rate, channels=channels)
        self.format = AudioFormat.WAV
        self._header_sent = False

    def _header(self) -> bytes:
        if self._header_sent:
            return b""
        self._header_sent = True
        return wav_header(self.sample_rate, self.channels, data_size=None)

    def encode(self, samples: ArrayLike) -> bytes:
        pcm = super().encode(samples)
        return self._header() + pcm

    def finish(self) -> bytes:
        return super().finish() + self._header()


class WholeWavEncoder(RawEncoder):
    """WAV with exact sizes: buffers the PCM and returns the whole file at ``finish``."""

    def __init__(self, sample_rate: int, *, channels: int = 1) -> None:
        super().__init__(AudioFormat.PCM, sample_rate, channels=channels)
        self.format = AudioFormat.WAV
        self._parts: list[bytes] = []

    def encode(self, samples: ArrayLike) -> bytes:
        self._parts.append(super().encode(samples))
        return b""

    def finish(self) -> bytes:
        super().finish()
        pcm = b"".join(self._parts)
        self._parts = []
        return wav_header(self.sample_rate, self.channels, len(pcm)) + pcm

    def close(self) -> None:
        super().close()
        self._parts = []


def open_encoder(
    fmt: str | AudioFormat,
    sample_rate: int,
    *,
    channels: int = 1,
    streaming: bool = True,
    bit_rate: int | None = None,
) -> StreamEncoder:
    """A fresh encoder for one request.

    ``sample_rate`` is the rate of the samples you will feed, and must be one
    the codec can run at (Opus: 8/12/16/24/48 kHz; use ``formats.encoder_rate``
    to map a requested rate). ``streaming=False`` produces the exact-size,
    whole-file form where that differs (WAV sizes, MP3 gapless header, FLAC
    sample count), with all bytes returned by ``finish``. ``bit_rate`` (bit/s)
    overrides the lossy codecs' defaults and is ignored by the others.
    """
    fmt = parse_format(fmt)
    if sample_rate <= 0:
        raise ValueError(f"sample rate must be positive, got {sample_rate}")
    if channels < 1:
        raise ValueError(f"channels must be at least 1, got {channels}")
    if fmt is AudioFormat.WAV:
        return WavStreamEncoder(sample_rate, channels=channels) if streaming else WholeWavEncoder(
            sample_rate, channels=channels)
    if fmt in RAW_CONVERTERS:
        return RawEncoder(fmt, sample_rate, channels=channels)
    # Imported here so that importing the audio package does not load FFmpeg
    from voicesmith.audio.codec_av import AvEncoder

    if fmt is AudioFormat.FLAC:
        # A streamed FLAC must say "total samples unknown" in its STREAMINFO,
        # and libsndfile (soundfile, the reader most Python users have) cannot
        # read that: it takes the length as unbounded ("array is too big").
        # So FLAC always leaves whole, with its sample count and MD5, at the
        # end of synthesis; wav, pcm, mp3, opus and aac stream.
        streaming = False
    return AvEncoder(fmt, sample_rate, channels=channels, streaming=streaming, bit_rate=bit_rate)

