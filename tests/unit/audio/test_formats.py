"""Format names, media types and sample-rate rules."""

from __future__ import annotations

import pytest

from voicesmith.audio.formats import (
    SAMPLE_RATES,
    SPECS,
    AudioFormat,
    content_type,
    encoder_rate,
    format_spec,
    parse_format,
    resolve_sample_rate,
)
from voicesmith.audio.pcm import AudioFormatError
from voicesmith.errors import ValidationError

TELNYX_NAMES = ["mp3", "linear16", "pcm", "wav", "mulaw", "alaw", "opus", "ogg", "flac", "aac"]
OPENAI_NAMES = ["mp3", "opus", "aac", "flac", "wav", "pcm"]


@pytest.mark.parametrize("name", sorted(set(TELNYX_NAMES + OPENAI_NAMES)))
def test_every_client_name_parses(name: str) -> None:
    assert isinstance(parse_format(name), AudioFormat)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("linear16", AudioFormat.PCM), ("pcm", AudioFormat.PCM), ("ogg", AudioFormat.OPUS),
     ("opus", AudioFormat.OPUS), ("mulaw", AudioFormat.MULAW), ("alaw", AudioFormat.ALAW),
     (" MP3 ", AudioFormat.MP3), (AudioFormat.AAC, AudioFormat.AAC)],
)
def test_aliases(name: str, expected: AudioFormat) -> None:
    assert parse_format(name) is expected


def test_unknown_format_lists_the_valid_names() -> None:
    with pytest.raises(ValueError) as info:
        parse_format("wma", pointer="/telnyx/response_format")
    message = str(info.value)
    assert "'wma'" in message
    for name in TELNYX_NAMES + OPENAI_NAMES:
        assert name in message
    # The API's error translator turns ValidationError into a 422 envelope
    assert isinstance(info.value, ValidationError)
    assert info.value.pointer == "/telnyx/response_format"


def test_every_format_has_a_spec() -> None:
    assert set(SPECS) == set(AudioFormat)
    assert format_spec("mp3").media_type == "audio/mpeg"
    assert format_spec("ogg").media_type == "audio/ogg"
    assert format_spec("linear16").media_type == "application/octet-stream"
    assert format_spec("wav").extension == "wav"


@pytest.mark.parametrize("fmt", list(AudioFormat))
@pytest.mark.parametrize("rate", SAMPLE_RATES)
def test_every_format_serves_every_rate(fmt: AudioFormat, rate: int) -> None:
    assert resolve_sample_rate(fmt, rate) == rate
    native = format_spec(fmt).native_rates
    actual = encoder_rate(fmt, rate)
    assert actual >= rate
    assert native is None or actual in native


def test_defaults_and_rejections() -> None:
    assert resolve_sample_rate("mp3") == 24_000
    assert resolve_sample_rate("mulaw") == 8000
    assert resolve_sample_rate("alaw", None) == 8000
    with pytest.raises(AudioFormatError, match="8000, 16000, 22050, 24000, 44100, 48000"):
        resolve_sample_rate("wav", 11025)
    assert resolve_sample_rate("wav", " 16000") == 16000
    assert resolve_sample_rate("wav", 48000.0) == 48000
    for bad in (True, 8000.5, "8k", "-8000"):
        with pytest.raises(ValueError):
            resolve_sample_rate("wav", bad)  # type: ignore[arg-type]


def test_opus_rates_map_up_to_a_native_rate() -> None:
    assert encoder_rate("opus", 22050) == 24000
    assert encoder_rate("opus", 44100) == 48000
    assert encoder_rate("opus", 8000) == 8000
    assert encoder_rate("mp3", 22050) == 22050


def test_content_type_names_the_g711_rate() -> None:
    assert content_type("mulaw", 8000) == "audio/PCMU;rate=8000"
    assert content_type("alaw", 16000) == "audio/PCMA;rate=16000"
    assert content_type("wav", 8000) == "audio/wav"
