"""load_recording: every accepted format, any rate and channel count, each error."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable

import numpy as np
import pytest
import soundfile as sf
from numpy.typing import NDArray

from voicesmith.cloning.recording import (
    MAX_DECODE_SECONDS,
    MAX_DECODED_VALUES,
    MAX_SPEECH_SECONDS,
    MAX_UPLOAD_BYTES,
    SAMPLE_RATE,
    load_recording,
)
from voicesmith.errors import AudioProcessingError, ValidationError

Speech = tuple[NDArray[np.float32], int]

# (container, encoder, filename): every format the upload endpoint promises to accept.
FORMATS = [
    ("wav", "pcm_s16le", "clip.wav"),
    ("mp3", "libmp3lame", "clip.mp3"),
    ("flac", "flac", "clip.flac"),
    ("ogg", "libvorbis", "clip.ogg"),
    ("ogg", "libopus", "clip.opus"),
    ("ipod", "aac", "clip.m4a"),
]
# The decoder FFmpeg picks for each (its name, not the encoder's).
DECODED_AS = {"clip.wav": "pcm_s16le", "clip.mp3": "mp3float", "clip.flac": "flac",
              "clip.ogg": "vorbis", "clip.opus": "opus", "clip.m4a": "aac"}


def _codec(name: str) -> str:
    import av

    # Builds of FFmpeg name the Vorbis encoder either way.
    if name == "libvorbis" and name not in av.codecs_available:
        return "vorbis"
    return name


def _wav(samples: NDArray[np.float32], rate: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


@pytest.mark.parametrize(("container", "codec", "filename"), FORMATS)
def test_each_format_decodes_to_24k_mono_speech(
    speech: Speech, encoder: Callable[..., bytes], container: str, codec: str, filename: str
) -> None:
    samples, rate = speech
    out_rate = 48_000 if codec == "libopus" else 44_100  # Opus only runs at 48 kHz and below
    data = encoder(samples[: 6 * rate], rate, container=container, codec=_codec(codec),
                   out_rate=out_rate, channels=2)
    rec = load_recording(data, filename=filename)
    assert rec.sample_rate == SAMPLE_RATE and rec.samples.dtype == np.float32
    assert rec.samples.ndim == 1
    assert rec.source_channels == 2
    assert rec.source_codec.startswith(DECODED_AS[filename][:3])
    assert 4.0 < rec.speech_duration_s <= 6.1
    assert 5.5 < rec.original_duration_s < 6.5
    back, back_rate = sf.read(io.BytesIO(rec.wav), dtype="float32")
    assert back_rate == SAMPLE_RATE and back.size == rec.samples.size


@pytest.mark.parametrize(("rate", "channels"), [(8_000, 1), (22_050, 2), (96_000, 6)])
def test_any_rate_and_channel_count(speech: Speech, encoder: Callable[..., bytes],
                                    rate: int, channels: int) -> None:
    samples, src_rate = speech
    data = encoder(samples[: 5 * src_rate], src_rate, container="wav", codec="pcm_s16le",
                   out_rate=rate, channels=channels)
    rec = load_recording(data, filename="x.wav")
    assert rec.source_sample_rate == rate and rec.source_channels == channels
    assert rec.speech_duration_s > 3.5


def test_keeps_at_most_ten_seconds_of_speech(speech: Speech) -> None:
    samples, rate = speech  # 12.6 s utterance
    rec = load_recording(_wav(samples, rate), filename="long.wav")
    assert 8.0 < rec.duration_s <= MAX_SPEECH_SECONDS + 1e-6


def test_garbage_is_an_audio_processing_error() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(AudioProcessingError, match="could not be decoded"):
        load_recording(rng.integers(0, 256, 50_000, dtype=np.uint8).tobytes(), filename="x.mp3")


def test_too_short(speech: Speech) -> None:
    samples, rate = speech
    clip = samples[int(1.0 * rate): int(2.0 * rate)]  # 1 s of speech
    with pytest.raises(ValidationError, match="at least 3 s") as err:
        load_recording(_wav(clip, rate), filename="short.wav")
    assert err.value.pointer == "/audio_file"


def test_digital_silence() -> None:
    with pytest.raises(ValidationError, match="silent") as err:
        load_recording(_wav(np.zeros(5 * 16_000, np.float32), 16_000), filename="s.wav")
    assert err.value.pointer == "/audio_file"


def test_heavily_clipped(speech: Speech) -> None:
    samples, rate = speech
    clipped = np.clip(samples[: 6 * rate] * 30.0, -1.0, 1.0)
    with pytest.raises(ValidationError, match="clipped") as err:
        load_recording(_wav(clipped, rate), filename="loud.wav")
    assert err.value.pointer == "/audio_file"


def test_too_large() -> None:
    with pytest.raises(ValidationError, match="20 MB"):
        load_recording(b"\0" * (MAX_UPLOAD_BYTES + 1), filename="big.wav")


def test_empty() -> None:
    with pytest.raises(ValidationError, match="empty"):
        load_recording(b"", filename=None)


def test_tiny_file_decoding_to_an_hour_stops_early(speech: Speech,
                                                   encoder: Callable[..., bytes]) -> None:
    samples, rate = speech
    # 5 s of speech then an hour of digital silence: FLAC packs it into ~1 MB.
    hour = np.concatenate([samples[: 5 * rate], np.zeros(3600 * 8_000, np.float32)])
    data = encoder(hour, rate, container="flac", codec="flac", out_rate=8_000)
    assert len(data) < MAX_UPLOAD_BYTES
    rec = load_recording(data, filename="hour.flac")
    # it stopped decoding at the cap (no wall-time bound: the suite must pass on a busy machine)
    assert rec.truncated and rec.original_duration_s <= MAX_DECODE_SECONDS + 0.1


def test_wav_header_claiming_hours_is_bounded(speech: Speech) -> None:
    samples, rate = speech
    data = bytearray(_wav(samples[: 5 * rate], rate))
    # Claim a 4 GB data chunk (hours at 16 kHz) over 5 s of real samples.
    idx = data.index(b"data")
    data[idx + 4: idx + 8] = struct.pack("<I", 0xFFFFFFF0)
    data[4:8] = struct.pack("<I", 0xFFFFFFF8)
    rec = load_recording(bytes(data), filename="liar.wav")
    assert rec.original_duration_s < 6.0


def test_huge_sample_rate_is_refused(speech: Speech) -> None:
    samples, rate = speech
    data = bytearray(_wav(samples[: 5 * rate], rate))
    # fmt chunk: sample rate at byte 24, byte rate at 28 (canonical 44-byte header)
    data[24:28] = struct.pack("<I", 50_000_000)
    data[28:32] = struct.pack("<I", 100_000_000)
    with pytest.raises(AudioProcessingError, match="sample rate"):
        load_recording(bytes(data), filename="fast.wav")


def test_eight_channels_decode(speech: Speech) -> None:
    # PyAV's planar to_ndarray read past the frame at 8 planes: a segfault took the server down.
    samples, rate = speech
    buf = io.BytesIO()
    sf.write(buf, np.repeat(samples[: 6 * rate, None], 8, axis=1), rate, format="FLAC")
    rec = load_recording(buf.getvalue(), filename="octo.flac")
    assert rec.source_channels == 8 and rec.speech_duration_s >= 3.0


def test_decoding_stops_at_the_sample_budget() -> None:
    # 10 s of 8-channel 192 kHz (a tiny FLAC: constant samples) is 15 M samples; the
    # budget is 5.76 M, so only the first 3.75 s are read, and the error says why.
    rate, channels = 192_000, 8
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", samplerate=rate, channels=channels, format="FLAC") as out:
        for _ in range(10):
            out.write(np.full((rate, channels), 0.25, dtype=np.float32))
    with pytest.raises(ValidationError) as err:
        load_recording(buf.getvalue(), filename="wide.flac")
    read_s = MAX_DECODED_VALUES / channels / rate
    assert f"Only its first {read_s:.1f} s were read: it has 8 channels at 192000 Hz" in (
        err.value.detail)
    assert err.value.pointer == "/audio_file"
