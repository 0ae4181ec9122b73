"""Compressed formats (MP3, Ogg Opus, FLAC, AAC/ADTS) encoded with PyAV (FFmpeg).

One encoder per request, writing into an in-memory sink. After every
``encode`` call the sink is drained, so bytes leave as soon as the codec and
the muxer release them; ``finish`` flushes the codec (its look-ahead and last
partial frame) and closes the container (its trailer), so the concatenation
of everything returned is one valid file.

The sink has no ``seek``: FFmpeg's muxers then know they cannot go back and
patch the header, and write a header that is valid as it stands (MP3 without
a Xing/LAME frame, Ogg and ADTS are naturally streamable; FLAC would say
"total samples unknown", which libsndfile cannot read, so ``open_encoder``
never streams FLAC). With ``streaming=False`` the sink is seekable instead
and nothing is returned before ``finish``; the muxers then write their exact
headers (MP3 gets a LAME frame with encoder delay and padding for gapless
decoding, FLAC gets its sample count and MD5).

Frames: codecs want fixed frame sizes (Opus 20 ms, AAC 1024, MP3 576/1152
samples); input arrives in arbitrary chunks. We buffer in numpy and hand the
codec only whole frames until ``finish``, with ``pts`` counted in samples
(time base 1/rate), so timestamps are continuous whatever the chunking.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import NamedTuple

import av
import numpy as np
from av.audio.codeccontext import AudioCodecContext
from av.audio.stream import AudioStream
from numpy.typing import ArrayLike, NDArray

from voicesmith.audio.formats import AudioFormat, format_spec
from voicesmith.audio.pcm import AudioFormatError, as_samples, float_to_s16


class _Target(NamedTuple):
    container: str
    codec: str
    options: dict[str, str]


# Ogg pages are normally cut every second; 100 ms pages let Opus audio out
# promptly for about 2 kbit/s of page overhead. No ID3v2 tag on MP3: a bare
# frame sequence is the most widely streamable form. No 8 KiB padding block in
# FLAC: it exists for later tag editing, which a stream never gets.
_TARGETS: dict[AudioFormat, _Target] = {
    AudioFormat.MP3: _Target("mp3", "libmp3lame", {"id3v2_version": "0"}),
    AudioFormat.OPUS: _Target("ogg", "libopus", {"page_duration": "100000"}),
    AudioFormat.FLAC: _Target("flac", "flac", {"metadata_header_padding": "0"}),
    AudioFormat.AAC: _Target("adts", "aac", {}),
}
# Float first (no conversion loss before a lossy codec); s16 for FLAC so its
# samples are bit-identical to our raw PCM and WAV output.
_SAMPLE_FORMATS = ("fltp", "flt", "s16", "s16p")
_LAYOUTS = {1: "mono", 2: "stereo"}


def default_bit_rate(fmt: AudioFormat, sample_rate: int, channels: int = 1) -> int | None:
    """Bits per second for a lossy format: transparent-for-speech settings per rate."""
    if fmt is AudioFormat.MP3:
        per_channel = 96_000 if sample_rate >= 32_000 else 64_000 if sample_rate >= 16_000 else 32_000
    elif fmt is AudioFormat.AAC:
        # AAC caps a channel at 6144 bits per 1024-sample frame: 48 kbit/s at 8 kHz
        per_channel = 96_000 if sample_rate >= 44_100 else 64_000 if sample_rate >= 22_050 else 32_000
    elif fmt is AudioFormat.OPUS:
        per_channel = {8000: 16_000, 12000: 20_000, 16000: 24_000, 24000: 32_000}.get(sample_rate, 48_000)
    else:
        return None
    return per_channel * channels


class _Sink:
    """Write-only, unseekable byte collector that PyAV writes the container into."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def write(self, data: bytes) -> int:
        self._buf += data
        return len(data)

    def take(self) -> bytes:
        out = bytes(self._buf)
        self._buf.clear()
        return out


class AvEncoder:
    """Stateful MP3 / Ogg Opus / FLAC / AAC encoder; see the module docstring."""

    def __init__(
        self,
        fmt: AudioFormat,
        sample_rate: int,
        *,
        channels: int = 1,
        streaming: bool = True,
        bit_rate: int | None = None,
    ) -> None:
        if fmt not in _TARGETS:
            raise ValueError(f"{fmt} is not a PyAV-encoded format")
        if channels not in _LAYOUTS:
            raise ValueError(f"{fmt.value} is encoded in mono or stereo only, not {channels} channels")
        native = format_spec(fmt).native_rates
        if native is not None and sample_rate not in native:
            rates = ", ".join(str(r) for r in native)
            raise AudioFormatError(
                f"{fmt.value} cannot encode at {sample_rate} Hz; it needs one of {rates} "
                "(resolve the rate with voicesmith.audio.formats.encoder_rate)"
            )
        self.format = fmt
        self.sample_rate = sample_rate
        self.channels = channels
        self.streaming = streaming
        target = _TARGETS[fmt]
        self._sink: _Sink | io.BytesIO = _Sink() if streaming else io.BytesIO()
        self._container = av.open(self._sink, mode="w", format=target.container,
                                  options=dict(target.options))
        try:
            self._stream, self._ctx, self._sample_format = self._open_codec(target, bit_rate)
        except BaseException:
            self._container.close()  # frees FFmpeg state; nothing was written yet
            raise
        # 0 = the codec takes frames of any size (FLAC may, PCM-like codecs do)
        self.frame_size: int = self._ctx.frame_size or 0
        self._pending: list[NDArray[np.float32]] = []
        self._pending_n = 0
        self._pts = 0
        self._closed = False

    def _open_codec(
        self, target: _Target, bit_rate: int | None
    ) -> tuple[AudioStream, AudioCodecContext, str]:
        try:
            stream = self._container.add_stream(target.codec, rate=self.sample_rate)
        except (av.error.FFmpegError, ValueError) as exc:  # codec missing from this FFmpeg build
            raise RuntimeError(f"FFmpeg has no {target.codec} encoder: {exc}") from exc
        if not isinstance(stream, AudioStream):
            raise TypeError(f"{target.codec} is not an audio codec")
        ctx = stream.codec_context
        ctx.layout = _LAYOUTS[self.channels]
        offered = {f.name for f in ctx.codec.audio_formats or ()}
        sample_format = next((f for f in _SAMPLE_FORMATS if f in offered), None)
        if sample_format is None:
            raise RuntimeError(f"{target.codec} takes none of the sample formats {_SAMPLE_FORMATS}")
        ctx.format = sample_format
        ctx.time_base = Fraction(1, self.sample_rate)
        bits = bit_rate if bit_rate is not None else default_bit_rate(
            self.format, self.sample_rate, self.channels)
        if bits is not None:
            ctx.bit_rate = bits
        # Open now, not on the first frame, to learn the codec's frame size
        ctx.open()
        return stream, ctx, sample_format

    # -- public --------------------------------------------------------------

    def encode(self, samples: ArrayLike) -> bytes:
        """Feed float samples at ``sample_rate``; return the bytes ready now (maybe b"")."""
        self._check_open()
        block = as_samples(samples, self.channels)
        if block.shape[0]:
            self._pending.append(block)
            self._pending_n += block.shape[0]
        step = self.frame_size or self._pending_n
        if step and self._pending_n >= step:
            whole = self._pending_n - self._pending_n % step
            self._send(self._take_pending(whole), step)
        return self._drain()

    def finish(self) -> bytes:
        """Encode what is buffered, flush the codec, write the trailer; the last bytes."""
        self._check_open()
        if self._pending_n:
            # The last frame may be short: every codec we use accepts that
            # (FFmpeg pads it, and Ogg/FLAC record the true length)
            self._send(self._take_pending(self._pending_n), self.frame_size or self._pending_n)
        self._mux(self._ctx.encode(None))
        self._closed = True
        self._container.close()
        if isinstance(self._sink, io.BytesIO):
            return self._sink.getvalue()
        return self._sink.take()

    def close(self) -> None:
        """Release FFmpeg resources without producing more output (e.g. client went away)."""
        if not self._closed:
            self._closed = True
            self._container.close()

    # -- internals -----------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"the {self.format.value} encoder is already finished")

    def _take_pending(self, n: int) -> NDArray[np.float32]:
        data = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending)
        head, rest = data[:n], data[n:]
        self._pending = [rest] if rest.shape[0] else []
        self._pending_n = rest.shape[0]
        return head

    def _send(self, data: NDArray[np.float32], step: int) -> None:
        for start in range(0, data.shape[0], step):
            frame = self._frame(data[start:start + step])
            self._mux(self._ctx.encode(frame))

    def _frame(self, block: NDArray[np.float32]) -> av.AudioFrame:
        arr: np.ndarray = (
            float_to_s16(block) if self._sample_format.startswith("s16") else np.clip(block, -1, 1)
        )
        if self.channels > 1 and self._sample_format.endswith("p"):
            arr = np.ascontiguousarray(arr.T)  # planar: one row per channel
        else:
            arr = arr.reshape(1, -1)  # mono, or packed: interleaved in one row
        frame = av.AudioFrame.from_ndarray(arr, format=self._sample_format, layout=_LAYOUTS[self.channels])
        frame.sample_rate = self.sample_rate
        frame.time_base = Fraction(1, self.sample_rate)
        frame.pts = self._pts
        self._pts += block.shape[0]
        return frame

    def _mux(self, packets: list[av.Packet]) -> None:
        for packet in packets:
            packet.stream = self._stream
            self._container.mux(packet)

    def _drain(self) -> bytes:
        # A seekable (whole-file) sink is only read at finish: muxers may still seek back
        return self._sink.take() if isinstance(self._sink, _Sink) else b""
