"""Decoding and cleaning an uploaded voice recording.

Any container/codec FFmpeg knows (through PyAV) goes in; 24 kHz mono float32
speech comes out: high-passed, silences trimmed, at most the first 10 s of
speech. Every rejection says what the user should change. The work is bounded
whatever the file claims: the upload is at most 20 MB, at most 60 s of audio
and at most ``MAX_DECODED_VALUES`` samples (all channels together) are ever
decoded, and odd sample rates or channel counts are refused before any sample
is produced.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import soxr  # type: ignore[import-untyped]
from numpy.typing import NDArray

from voicesmith.audio.wav import encode_wav
from voicesmith.cloning.signal import (
    clipped_fraction,
    high_pass,
    speech_frames,
    trim_to_speech,
)
from voicesmith.errors import AudioProcessingError, UploadAudioError

SAMPLE_RATE = 24_000
POINTER = "/audio_file"

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Decoding stops here: a header may claim hours, and we only keep 10 s of
# speech anyway; 60 s leaves room for long silences before the speech.
MAX_DECODE_SECONDS = 60.0
MIN_SPEECH_SECONDS = 3.0
MAX_SPEECH_SECONDS = 10.0
# Real audio uses 8-384 kHz; anything outside is a hostile or broken header
# (a 10 MHz rate would make 60 s of "audio" 600 M samples).
MIN_SAMPLE_RATE = 4_000
MAX_SAMPLE_RATE = 384_000
MAX_CHANNELS = 32
# And decoding stops at this many samples, all channels together (60 s of
# 48 kHz stereo, 23 MB as float32): 60 s of 8-channel 384 kHz FLAC, a few
# hundred KB of upload, would otherwise decode to 740 MB.
MAX_DECODED_VALUES = int(MAX_DECODE_SECONDS * 48_000 * 2)
# Packets and frames are counted too: a file of millions of empty packets
# decodes no audio but can still keep a worker busy.
MAX_PACKETS = 200_000
# More than this share of the speech at full scale cannot be repaired.
MAX_CLIPPED_FRACTION = 0.05
# Peak below -70 dBFS is silence (or a muted microphone).
SILENT_PEAK = 10 ** (-70 / 20)
# The clone's sample is raised to this peak if quieter (capped gain), so a
# quiet upload does not give a quiet sample.
TARGET_PEAK = 0.9
MAX_GAIN = 10.0
# FFmpeg probing limits, so opening a crafted file is cheap too.
_OPEN_OPTIONS = {"probesize": "5000000", "analyzeduration": "5000000"}


@dataclass(frozen=True)
class Recording:
    """The usable speech of an upload.

    ``samples``: float32 mono at 24 kHz, the trimmed speech (at most ~10 s).
    ``original_duration_s``: audio decoded from the file (at most 60 s, see
    ``truncated``). ``speech_duration_s``: speech in ``samples`` (voice
    activity, pauses not counted). ``wav``: ``samples`` as 16-bit WAV, the
    clone's sample.
    """

    samples: NDArray[np.float32] = field(repr=False)
    original_duration_s: float
    speech_duration_s: float
    wav: bytes = field(repr=False)
    source_format: str
    source_codec: str
    source_sample_rate: int
    source_channels: int
    truncated: bool
    clipped_fraction: float
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


@dataclass
class _Decoded:
    channels: list[NDArray[np.float32]]
    sample_rate: int
    n_channels: int
    format_name: str
    codec: str
    truncated: bool


def load_recording(data: bytes, *, filename: str | None = None) -> Recording:
    """Decode, check and clean an uploaded recording (see module docstring).

    Raises ``AudioProcessingError`` when the bytes are not decodable audio and
    ``UploadAudioError`` (422, pointer ``/audio_file``) when the audio is decodable
    but unusable: too large, too short, silent or clipped.
    """
    name = f" {filename!r}" if filename else ""
    if not data:
        raise UploadAudioError(f"The audio file{name} is empty: upload 5 to 10 seconds of "
                              "someone speaking.", pointer=POINTER)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadAudioError(
            f"The audio file{name} is {len(data) / 1e6:.1f} MB; the limit is "
            f"{MAX_UPLOAD_BYTES // (1024 * 1024)} MB. Upload 5 to 10 seconds of speech "
            "(a short WAV, MP3 or FLAC is well under the limit).", pointer=POINTER)
    decoded = _decode(data, name)
    native: NDArray[np.float32] = (np.concatenate(decoded.channels, axis=1) if decoded.channels
                                   else np.zeros((1, 0), dtype=np.float32))
    duration = native.shape[1] / decoded.sample_rate
    if native.shape[1] == 0:
        raise AudioProcessingError(f"The audio file{name} contains no audio samples. Upload "
                                   "a WAV, MP3, FLAC, OGG or M4A recording of speech.",
                                   pointer=POINTER)
    peak = float(np.max(np.abs(native)))
    if not np.isfinite(peak) or peak < SILENT_PEAK:
        raise UploadAudioError(
            f"The recording{name} is silent ({duration:.1f} s with no sound). Check that "
            "the microphone was on and upload someone speaking.", pointer=POINTER)
    # Clipping is judged on the decoded samples, before filtering and
    # resampling round off the flat tops that mark it.
    clipped = clipped_fraction(native)
    mono = native.mean(axis=0).astype(np.float32)
    if decoded.sample_rate != SAMPLE_RATE:
        mono = soxr.resample(mono, decoded.sample_rate, SAMPLE_RATE, quality="HQ")
    mono = high_pass(np.asarray(mono, dtype=np.float32), SAMPLE_RATE)
    active = speech_frames(mono, SAMPLE_RATE)
    if not active.any():
        raise UploadAudioError(
            f"The recording{name} has no speech, only very quiet sound. Upload someone "
            f"speaking clearly, close to the microphone.{_budget_note(decoded, duration)}",
            pointer=POINTER)
    speech, speech_s = trim_to_speech(mono, active, SAMPLE_RATE, max_speech_s=MAX_SPEECH_SECONDS)
    if clipped > MAX_CLIPPED_FRACTION:
        raise UploadAudioError(
            f"The recording{name} is clipped: {clipped:.0%} of its loud samples are at full "
            "scale, which distorts the voice. Record again with a lower input level.",
            pointer=POINTER)
    if speech_s < MIN_SPEECH_SECONDS:
        raise UploadAudioError(
            f"The recording{name} has only {speech_s:.1f} s of speech after trimming "
            f"silence; at least {MIN_SPEECH_SECONDS:.0f} s are needed (5 to 10 s works "
            f"best).{_budget_note(decoded, duration)}", pointer=POINTER)
    gain = min(MAX_GAIN, TARGET_PEAK / max(float(np.max(np.abs(speech))), 1e-9))
    speech = (speech * max(gain, 1.0) if gain > 1.0 else speech).astype(np.float32)
    return Recording(
        samples=speech,
        original_duration_s=duration,
        speech_duration_s=speech_s,
        wav=encode_wav(speech, SAMPLE_RATE),
        source_format=decoded.format_name,
        source_codec=decoded.codec,
        source_sample_rate=decoded.sample_rate,
        source_channels=decoded.n_channels,
        truncated=decoded.truncated,
        clipped_fraction=clipped,
    )


def _decode(data: bytes, name: str) -> _Decoded:
    """All channels of the first audio stream, float32, up to MAX_DECODE_SECONDS."""
    import av  # PyAV bundles FFmpeg; imported here so only uploads pay for it

    hint = (f"The file{name} could not be decoded as audio. Upload a WAV, MP3, FLAC, "
            "OGG (Vorbis or Opus) or M4A (AAC) recording")
    try:
        container = av.open(io.BytesIO(data), mode="r", options=_OPEN_OPTIONS,
                            metadata_errors="ignore")
    except Exception as exc:  # PyAV raises many FFmpegError subclasses and ValueErrors
        raise AudioProcessingError(f"{hint} ({_short(exc)}).", pointer=POINTER) from exc
    with container:
        streams = list(container.streams.audio)
        if not streams:
            raise AudioProcessingError(f"{hint}: it contains no audio stream.",
                                       pointer=POINTER)
        stream = streams[0]
        ctx = stream.codec_context
        rate, n_channels = int(stream.sample_rate or 0), int(stream.channels or 0)
        _check_layout(rate, n_channels, name)
        # Packed float, layout and rate kept. Not planar: PyAV's to_ndarray reads
        # past the frame's plane pointers for 8 or more planes (a segfault).
        resampler = av.AudioResampler(format="flt")
        limit = min(int(MAX_DECODE_SECONDS * rate), MAX_DECODED_VALUES // n_channels)
        got, packets = 0, 0
        chunks: list[NDArray[np.float32]] = []
        truncated = False
        try:
            for packet in container.demux(stream):
                packets += 1
                if packets > MAX_PACKETS:
                    truncated = True
                    break
                for frame in packet.decode():
                    if not isinstance(frame, av.AudioFrame):
                        continue
                    if frame.sample_rate != rate or len(frame.layout.channels) != n_channels:
                        # A stream that changes format midway is not a recording
                        # we can trust; keep what came before the change.
                        truncated = True
                        break
                    for out in resampler.resample(frame):
                        packed = np.asarray(out.to_ndarray(), dtype=np.float32)
                        arr = packed.reshape(-1, n_channels)[: limit - got].T
                        chunks.append(np.ascontiguousarray(arr))
                        got += chunks[-1].shape[1]
                    if got >= limit:
                        truncated = True
                        break
                if truncated:
                    break
        except Exception as exc:
            if not chunks:
                raise AudioProcessingError(f"{hint} ({_short(exc)}).", pointer=POINTER) from exc
            truncated = True  # a corrupt tail: use the audio decoded before it
        return _Decoded(chunks, rate, n_channels, container.format.name, ctx.name, truncated)


def _budget_note(decoded: _Decoded, duration: float) -> str:
    """Why less than MAX_DECODE_SECONDS was read, when the sample budget cut it short."""
    if not decoded.truncated or duration >= MAX_DECODE_SECONDS - 0.5:
        return ""
    return (f" Only its first {duration:.1f} s were read: it has {decoded.n_channels} channels "
            f"at {decoded.sample_rate} Hz. Re-export it as mono or stereo at 44.1 or 48 kHz.")


def _check_layout(rate: int, n_channels: int, name: str) -> None:
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioProcessingError(
            f"The audio in{name or ' the file'} has a sample rate of {rate} Hz; supported "
            f"rates are {MIN_SAMPLE_RATE} to {MAX_SAMPLE_RATE} Hz. Re-export it at "
            "44.1 or 48 kHz.", pointer=POINTER)
    if not 1 <= n_channels <= MAX_CHANNELS:
        raise AudioProcessingError(
            f"The audio in{name or ' the file'} has {n_channels} channels; 1 to "
            f"{MAX_CHANNELS} are supported. Re-export it as mono or stereo.", pointer=POINTER)


def _short(exc: Exception) -> str:
    # FFmpeg's str() carries an errno and a file name ("[Errno 1094995529] Invalid
    # data found when processing input: '<none>'"); strerror is the readable part.
    text = str(getattr(exc, "strerror", None) or exc).strip() or type(exc).__name__
    return text[:200]
