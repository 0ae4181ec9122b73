"""Every format at every rate, fed in awkward chunks, decodes back to the tone.

Duration tolerance: the formats that record their exact length (WAV, raw PCM,
G.711, FLAC, Ogg Opus via its granule positions) must decode to 1.2 s within
1 ms. Streamed MP3 and AAC cannot record encoder delay and end padding, so
they decode 0..2048 samples (at the encoded rate) longer: priming (MP3 ~1105,
AAC 1024) plus padding of the last frame.
"""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from tests.unit.audio.helpers import (
    decode,
    dominant_frequency,
    feed,
    opus_head_rate,
    tone,
)
from voicesmith.audio.encoders import StreamEncoder, open_encoder
from voicesmith.audio.formats import SAMPLE_RATES, AudioFormat
from voicesmith.audio.pcm import AudioFormatError
from voicesmith.audio.pipeline import AudioOutput, encode_audio

EXACT = {AudioFormat.WAV, AudioFormat.PCM, AudioFormat.MULAW, AudioFormat.ALAW,
         AudioFormat.FLAC, AudioFormat.OPUS}
COMPRESSED = [AudioFormat.MP3, AudioFormat.OPUS, AudioFormat.FLAC, AudioFormat.AAC]
SECONDS = 1.2


def check_tone(data: bytes, fmt: AudioFormat, out: AudioOutput) -> None:
    samples, rate = decode(data, fmt, out.encoder_rate)
    if fmt is AudioFormat.OPUS:
        assert rate == 48_000  # every Opus decoder outputs 48 kHz (RFC 7845)
        assert opus_head_rate(data) == out.encoder_rate
    else:
        assert rate == out.sample_rate
    extra = len(samples) / rate - SECONDS
    if fmt in EXACT:
        assert abs(extra) <= 0.001, f"{fmt} decoded {extra * 1000:+.1f} ms off"
    else:
        assert 0 <= extra <= 2048 / out.encoder_rate, f"{fmt} decoded {extra * 1000:+.1f} ms off"
    assert dominant_frequency(samples, rate) == pytest.approx(440, abs=3)


@pytest.mark.parametrize("rate", SAMPLE_RATES)
@pytest.mark.parametrize("fmt", list(AudioFormat))
def test_streamed_round_trip(fmt: AudioFormat, rate: int) -> None:
    out = AudioOutput(fmt, rate)
    pieces = feed(out.write, tone(SECONDS))
    pieces.append(out.finish())
    assert out.bytes_out == sum(map(len, pieces))
    check_tone(b"".join(pieces), fmt, out)


@pytest.mark.parametrize("fmt", list(AudioFormat))
def test_whole_file_round_trip(fmt: AudioFormat) -> None:
    data = encode_audio(tone(SECONDS), fmt, 24_000)
    samples, rate = decode(data, fmt, 24_000)
    if fmt is AudioFormat.AAC:  # ADTS has nowhere to record priming, even as a file
        assert 0 <= len(samples) - 28_800 <= 2048
    else:  # MP3 gets a LAME header with delay/padding: FFmpeg trims it exactly
        assert len(samples) * 24_000 // rate == 28_800
    assert dominant_frequency(samples, rate) == pytest.approx(440, abs=3)


# Formats libsndfile reads (raw PCM and G.711 are not files; AAC/ADTS it does not know)
SOUNDFILE_READS = [AudioFormat.WAV, AudioFormat.FLAC, AudioFormat.MP3, AudioFormat.OPUS]


@pytest.mark.parametrize("streaming", [True, False])
@pytest.mark.parametrize("fmt", [*SOUNDFILE_READS, AudioFormat.AAC])
def test_every_file_opens_in_soundfile_and_pyav(fmt: AudioFormat, streaming: bool) -> None:
    """What most Python users (soundfile) and FFmpeg (PyAV) do with a response body."""
    import soundfile as sf

    enc = open_encoder(fmt, 24_000, streaming=streaming)
    data = b"".join(feed(enc.encode, tone(SECONDS))) + enc.finish()
    with av.open(io.BytesIO(data)) as container:
        decoded = sum(frame.samples for frame in container.decode(audio=0))
    assert decoded > 0
    if fmt in SOUNDFILE_READS:
        samples, rate = sf.read(io.BytesIO(data), dtype="float32")
        assert rate in (24_000, 48_000) and len(samples) / rate == pytest.approx(SECONDS, abs=0.1)
        assert dominant_frequency(samples, rate) == pytest.approx(440, abs=3)


@pytest.mark.parametrize("fmt", [f for f in AudioFormat if f is not AudioFormat.FLAC])
def test_bytes_come_out_progressively(fmt: AudioFormat) -> None:
    enc = open_encoder(fmt, 24_000)
    x = tone(6.0)
    returns = [enc.encode(x[i:i + 2400]) for i in range(0, len(x), 2400)]  # 100 ms blocks
    tail = enc.finish()
    early = sum(map(len, returns))
    assert sum(1 for r in returns if r) >= 30, "bytes should leave with most 100 ms blocks"
    assert early >= 0.8 * (early + len(tail))


def test_flac_leaves_whole_with_its_sample_count() -> None:
    enc = open_encoder("flac", 24_000)  # asked to stream
    assert not any(feed(enc.encode, tone(SECONDS)))
    data = enc.finish()
    total = int.from_bytes(data[18:26], "big") & ((1 << 36) - 1)  # STREAMINFO total samples
    assert data[:4] == b"fLaC" and total == round(SECONDS * 24_000)


def test_flac_is_lossless_against_raw_pcm() -> None:
    x = tone(SECONDS, amp=0.9)
    flac, pcm = open_encoder("flac", 24_000), open_encoder("pcm", 24_000)
    flac_bytes = b"".join(feed(flac.encode, x)) + flac.finish()
    pcm_bytes = b"".join(feed(pcm.encode, x)) + pcm.finish()
    decoded, _ = decode(flac_bytes, AudioFormat.FLAC, 24_000)
    np.testing.assert_array_equal(decoded, decode(pcm_bytes, AudioFormat.PCM, 24_000)[0])


def test_raw_formats_emit_exactly_their_samples() -> None:
    x = tone(0.01, 8000)  # 80 samples
    assert len(open_encoder("pcm", 8000).encode(x)) == 160
    assert len(open_encoder("mulaw", 8000).encode(x)) == 80
    assert len(open_encoder("alaw", 8000).encode(x)) == 80


@pytest.mark.parametrize("fmt", ["opus", "mp3", "flac"])
def test_stereo_keeps_the_channels_apart(fmt: str) -> None:
    x = np.stack([tone(SECONDS, 48_000), tone(SECONDS, 48_000, freq=660)], axis=1)
    enc = open_encoder(fmt, 48_000, channels=2)
    data = b"".join(feed(enc.encode, x)) + enc.finish()
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.channels == 2
        frames = [f.to_ndarray() for p in container.demux(stream)
                  for f in stream.codec_context.decode(p if p.size else None)]
    # planar (fltp) frames are (2, n); packed (s16) ones are (1, 2n), interleaved
    rows = [f if f.shape[0] == 2 else f.reshape(-1, 2).T for f in frames]
    left, right = (np.concatenate([r[c] for r in rows]).astype(np.float32) for c in (0, 1))
    assert dominant_frequency(left, 48_000) == pytest.approx(440, abs=3)
    assert dominant_frequency(right, 48_000) == pytest.approx(660, abs=3)


def test_opus_refuses_a_non_opus_rate_directly() -> None:
    with pytest.raises(AudioFormatError, match="8000, 12000, 16000, 24000, 48000"):
        open_encoder("opus", 22_050)


@pytest.mark.parametrize("fmt", list(AudioFormat))
def test_lifecycle(fmt: AudioFormat) -> None:
    enc = open_encoder(fmt, 16_000)
    assert isinstance(enc, StreamEncoder)
    enc.encode(tone(0.05, 16_000))
    enc.finish()
    with pytest.raises(RuntimeError):
        enc.encode(tone(0.05, 16_000))
    enc.close()  # harmless after finish
    abandoned = open_encoder(fmt, 16_000)
    abandoned.encode(tone(0.05, 16_000))
    abandoned.close()
    abandoned.close()
