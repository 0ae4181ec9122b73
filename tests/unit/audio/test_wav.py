"""WAV: exact-size whole files, 0xFFFFFFFF-size streams, and patching one into the other."""

from __future__ import annotations

import io
import struct
import wave

import numpy as np
import soundfile as sf

from tests.unit.audio.helpers import feed, tone
from voicesmith.audio.encoders import open_encoder
from voicesmith.audio.wav import (
    HEADER_SIZE,
    STREAMING_SIZE,
    decode_wav,
    encode_wav,
    finalize_wav,
    wav_header,
)


def sizes(data: bytes) -> tuple[int, int]:
    """(RIFF size, data size) from a canonical 44-byte header."""
    return struct.unpack_from("<I", data, 4)[0], struct.unpack_from("<I", data, 40)[0]


def test_whole_wav_has_exact_sizes() -> None:
    x = tone(0.5)
    data = encode_wav(x, 24_000)
    assert len(data) == HEADER_SIZE + 2 * len(x)
    assert sizes(data) == (len(data) - 8, 2 * len(x))
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 24_000, len(x))
    samples, rate = decode_wav(data)
    assert rate == 24_000
    np.testing.assert_allclose(samples, x, atol=1 / 32767)


def test_stereo_header() -> None:
    data = encode_wav(np.zeros((10, 2), dtype=np.float32), 48_000, channels=2)
    channels, rate, byte_rate, block_align = struct.unpack_from("<HIIH", data, 22)
    assert (channels, rate, byte_rate, block_align) == (2, 48_000, 192_000, 4)
    assert sizes(data) == (36 + 40, 40)


def test_streamed_wav_header_says_unknown_length() -> None:
    enc = open_encoder("wav", 16_000)
    pieces = feed(enc.encode, tone(1.2, 16_000))
    pieces.append(enc.finish())
    data = b"".join(pieces)
    assert sizes(data) == (STREAMING_SIZE, STREAMING_SIZE)
    assert data[:HEADER_SIZE] == wav_header(16_000)
    assert len(pieces[0]) == HEADER_SIZE + 14  # the header leaves with the first 7 samples
    # soundfile (libsndfile) and the stdlib both read it to the real end
    samples, rate = sf.read(io.BytesIO(data), dtype="float32")
    assert (rate, len(samples)) == (16_000, 19_200)
    with wave.open(io.BytesIO(data)) as w:
        assert len(w.readframes(10**7)) == 2 * 19_200


def test_empty_stream_is_still_a_wav() -> None:
    enc = open_encoder("wav", 8000)
    assert enc.finish() == wav_header(8000)


def test_finalize_wav_patches_sizes() -> None:
    enc = open_encoder("wav", 24_000)
    streamed = enc.encode(tone(0.25)) + enc.finish()
    fixed = finalize_wav(streamed)
    assert fixed == encode_wav(tone(0.25), 24_000)
    assert sizes(fixed) == (len(fixed) - 8, len(fixed) - HEADER_SIZE)
    assert finalize_wav(b"not a wav") == b"not a wav"


def test_whole_file_encoder_mode() -> None:
    enc = open_encoder("wav", 24_000, streaming=False)
    assert enc.encode(tone(0.1)) == b""
    assert enc.finish() == encode_wav(tone(0.1), 24_000)
