"""Audio output: the formats we serve, gain, resampling and per-request encoders.

Most callers need only ``AudioOutput`` (streamed) or ``encode_audio`` (whole
file), plus ``parse_format``/``resolve_sample_rate`` to validate a request
early. Nothing here knows about HTTP; bad formats, rates and volumes raise
``AudioFormatError``, a ``ValidationError`` (422) that is also a ``ValueError``.
"""

from voicesmith.audio.encoders import StreamEncoder, open_encoder
from voicesmith.audio.formats import (
    SAMPLE_RATES,
    SPECS,
    AudioFormat,
    FormatSpec,
    content_type,
    encoder_rate,
    format_spec,
    parse_format,
    resolve_sample_rate,
)
from voicesmith.audio.pcm import AudioFormatError, apply_volume
from voicesmith.audio.pipeline import AudioOutput, encode_audio
from voicesmith.audio.resample import StreamResampler, resample
from voicesmith.audio.wav import decode_wav, encode_wav, finalize_wav, wav_header

__all__ = [
    "SAMPLE_RATES",
    "SPECS",
    "AudioFormat",
    "AudioFormatError",
    "AudioOutput",
    "FormatSpec",
    "StreamEncoder",
    "StreamResampler",
    "apply_volume",
    "content_type",
    "decode_wav",
    "encode_audio",
    "encode_wav",
    "encoder_rate",
    "finalize_wav",
    "format_spec",
    "open_encoder",
    "parse_format",
    "resample",
    "resolve_sample_rate",
    "wav_header",
]
