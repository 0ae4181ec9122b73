"""AudioOutput: gain, resampling and encoding glued together for one request."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.audio.helpers import decode, tone
from voicesmith.audio.formats import AudioFormat
from voicesmith.audio.pcm import AudioFormatError
from voicesmith.audio.pipeline import AudioOutput
from voicesmith.engine.base import AudioChunk


def test_volume_scales_the_output() -> None:
    quiet = AudioOutput("pcm", 24_000, volume=0.5)
    data = quiet.write(tone(0.2)) + quiet.finish()
    samples, _ = decode(data, AudioFormat.PCM, 24_000)
    assert np.max(np.abs(samples)) == pytest.approx(0.25, abs=1e-3)


def test_chunks_are_checked_for_their_rate() -> None:
    out = AudioOutput("mulaw")
    assert (out.sample_rate, out.encoder_rate, out.media_type) == (8000, 8000, "audio/PCMU;rate=8000")
    chunk = AudioChunk(samples=tone(0.3), sample_rate=24_000, text="hi", index=0, is_last=True)
    assert len(out.write_chunk(chunk)) + len(out.finish()) == 2400
    wrong = AudioChunk(samples=tone(0.3, 16_000), sample_rate=16_000, text="hi", index=0, is_last=True)
    with pytest.raises(ValueError, match="16000 Hz"):
        AudioOutput("wav").write_chunk(wrong)


def test_opus_at_44100_is_encoded_at_48000() -> None:
    out = AudioOutput("ogg", 44_100)
    assert (out.format, out.sample_rate, out.encoder_rate) == (AudioFormat.OPUS, 44_100, 48_000)
    assert out.media_type == "audio/ogg" and out.extension == "ogg"
    out.close()


def test_bad_requests_fail_before_any_work() -> None:
    with pytest.raises(AudioFormatError, match="Unknown audio format"):
        AudioOutput("m4a")
    with pytest.raises(AudioFormatError, match="Sample rate"):
        AudioOutput("mp3", 11_025)
    with pytest.raises(AudioFormatError, match="volume"):
        AudioOutput("mp3", volume=3)


def test_finish_twice_and_context_manager() -> None:
    with AudioOutput("mp3") as out:
        out.write(tone(0.1))
        out.finish()
        with pytest.raises(RuntimeError):
            out.finish()
