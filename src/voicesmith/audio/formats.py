"""The output formats we serve, what clients call them, and at which sample rates.

One table (``SPECS``) says everything the HTTP layer needs to know about a
format: its media type, file extension, default rate and the rate the encoder
really runs at. Names are parsed from what Telnyx clients send (``mp3``,
``linear16``, ``pcm``, ``wav``, ``mulaw``, ``alaw``, ``opus``, ``ogg``,
``flac``, ``aac``) and what OpenAI clients send (``mp3``, ``opus``, ``aac``,
``flac``, ``wav``, ``pcm``).

Every format is offered at ``SAMPLE_RATES`` (8000, 16000, 22050, 24000, 44100,
48000 Hz). Two notes:

* Opus only encodes at 8, 12, 16, 24 or 48 kHz. A request for 22050 or 44100
  is encoded at the next Opus rate up (24000, 48000), resampled once from the
  engine's rate; nothing is rejected. The rate in the Ogg Opus header is the
  one encoded, and any Opus decoder outputs 48 kHz whatever that header says
  (RFC 7845 §5.1), so clients must not rely on the decoded rate of Opus.
* MP3 (MPEG-1/2/2.5 layer III) covers all six rates; AAC and FLAC too. G.711
  is normally 8 kHz, but the companding is rate-agnostic, so other rates are
  served as asked (the media type then says the rate).

Media types: raw s16le is ``application/octet-stream`` because ``audio/L16``
is big-endian by definition (RFC 2586) and would misdescribe it. μ-law and
A-law use ``audio/PCMU`` and ``audio/PCMA`` (RFC 4856) with a ``rate``
parameter; ``audio/basic`` would imply 8 kHz only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from voicesmith.audio.pcm import AudioFormatError
from voicesmith.engine.base import SAMPLE_RATE as ENGINE_RATE

SAMPLE_RATES: tuple[int, ...] = (8000, 16000, 22050, 24000, 44100, 48000)
OPUS_RATES: tuple[int, ...] = (8000, 12000, 16000, 24000, 48000)


class AudioFormat(StrEnum):
    WAV = "wav"
    MP3 = "mp3"
    OPUS = "opus"  # in an Ogg container
    FLAC = "flac"
    AAC = "aac"  # ADTS stream, playable as .aac
    PCM = "pcm"  # raw signed 16-bit little-endian, no header
    MULAW = "mulaw"  # raw G.711 μ-law, one byte per sample
    ALAW = "alaw"  # raw G.711 A-law, one byte per sample


@dataclass(frozen=True)
class FormatSpec:
    format: AudioFormat
    media_type: str
    extension: str
    default_rate: int
    # Rates the encoder can run at natively; None = any positive rate.
    native_rates: tuple[int, ...] | None = None
    lossless: bool = False
    # Raw formats carry no header: the client must be told rate and encoding.
    raw: bool = False


SPECS: dict[AudioFormat, FormatSpec] = {
    spec.format: spec
    for spec in (
        FormatSpec(AudioFormat.WAV, "audio/wav", "wav", ENGINE_RATE, lossless=True),
        FormatSpec(AudioFormat.MP3, "audio/mpeg", "mp3", ENGINE_RATE,
                   native_rates=(8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000)),
        FormatSpec(AudioFormat.OPUS, "audio/ogg", "ogg", ENGINE_RATE, native_rates=OPUS_RATES),
        FormatSpec(AudioFormat.FLAC, "audio/flac", "flac", ENGINE_RATE, lossless=True),
        FormatSpec(AudioFormat.AAC, "audio/aac", "aac", ENGINE_RATE,
                   native_rates=(7350, 8000, 11025, 12000, 16000, 22050, 24000, 32000,
                                 44100, 48000, 64000, 88200, 96000)),
        FormatSpec(AudioFormat.PCM, "application/octet-stream", "pcm", ENGINE_RATE,
                   lossless=True, raw=True),
        # Telephony is 8 kHz; asking for mulaw without a rate means a phone line
        FormatSpec(AudioFormat.MULAW, "audio/PCMU", "ulaw", 8000, raw=True),
        FormatSpec(AudioFormat.ALAW, "audio/PCMA", "alaw", 8000, raw=True),
    )
}

# What clients send -> our format. Lower-case keys; parsing lower-cases input.
FORMAT_NAMES: dict[str, AudioFormat] = {
    "wav": AudioFormat.WAV,
    "mp3": AudioFormat.MP3,
    "opus": AudioFormat.OPUS,
    "ogg": AudioFormat.OPUS,
    "flac": AudioFormat.FLAC,
    "aac": AudioFormat.AAC,
    "pcm": AudioFormat.PCM,
    "linear16": AudioFormat.PCM,
    "mulaw": AudioFormat.MULAW,
    "alaw": AudioFormat.ALAW,
    # Spellings other TTS APIs use for the same bytes; harmless to accept
    "pcm_s16le": AudioFormat.PCM,
    "ulaw": AudioFormat.MULAW,
    "pcm_mulaw": AudioFormat.MULAW,
    "pcm_alaw": AudioFormat.ALAW,
}


def parse_format(name: str | AudioFormat, *, pointer: str | None = None) -> AudioFormat:
    """A client's format name -> ``AudioFormat``; ``AudioFormatError`` (a ValueError) if unknown.

    ``pointer`` is passed to the error so the API can name the request field.
    """
    if isinstance(name, AudioFormat):
        return name
    key = str(name).strip().lower()
    if key in FORMAT_NAMES:
        return FORMAT_NAMES[key]
    valid = ", ".join(sorted(FORMAT_NAMES))
    raise AudioFormatError(f"Unknown audio format {name!r}; use one of: {valid}", pointer=pointer)


def format_spec(fmt: str | AudioFormat) -> FormatSpec:
    return SPECS[parse_format(fmt)]


def resolve_sample_rate(
    fmt: str | AudioFormat, requested: float | str | None = None, *, pointer: str | None = None
) -> int:
    """The output rate for a request: ``requested`` if served, the format's default if None.

    Raises ``AudioFormatError`` (a ValueError; the API answers 422) listing the
    served rates otherwise.
    """
    spec = format_spec(fmt)
    if requested is None:
        return spec.default_rate
    # Query strings (the WebSocket's ?sample_rate=) may hand us "8000"
    value = int(requested) if isinstance(requested, str) and requested.strip().isdecimal() else requested
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a JSON 8000.0 means 8000
    if isinstance(value, bool) or not isinstance(value, int) or value not in SAMPLE_RATES:
        rates = ", ".join(str(r) for r in SAMPLE_RATES)
        raise AudioFormatError(
            f"Sample rate {requested!r} Hz is not supported for {spec.format.value}; "
            f"use one of: {rates}",
            pointer=pointer,
        )
    return value


def encoder_rate(fmt: str | AudioFormat, sample_rate: int) -> int:
    """The rate the encoder runs at for an output rate: itself, or for Opus the next native rate up."""
    spec = format_spec(fmt)
    if spec.native_rates is None or sample_rate in spec.native_rates:
        return sample_rate
    higher = [r for r in spec.native_rates if r >= sample_rate]
    if not higher:
        raise AudioFormatError(f"{spec.format.value} cannot encode at {sample_rate} Hz")
    return min(higher)


def content_type(fmt: str | AudioFormat, sample_rate: int) -> str:
    """The Content-Type header value; G.711 types carry the rate (RFC 4856)."""
    spec = format_spec(fmt)
    if spec.format in (AudioFormat.MULAW, AudioFormat.ALAW):
        return f"{spec.media_type};rate={sample_rate}"
    return spec.media_type
