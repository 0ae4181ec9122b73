"""Hostile uploads to POST /v2/voice_clones/from_upload, each made here at test time.

Each one gets a 4xx in the error envelope pointing at the file, nothing is
stored, and the server stays up with its memory bounded: decompression bombs
(an hour of audio from ~100 KB, 8 channels at 384 kHz), absurd headers
(65535 channels, 4 GHz, 1 Hz), truncated and garbage containers, a video
without audio, and polyglots (a WAV that is also a ZIP; HTML before a WAV).
Every file is rejected before any capture, so the tiny-model server suffices.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from importlib.util import find_spec

import httpx
import numpy as np
import pytest
import soundfile as sf

from tests.e2e.server import RunningServer
from tests.e2e.test_upload_clones import blob_files
from tests.e2e.test_voice_designs import unique
from tests.unit.cloning.conftest import SPEECH, encode
from tests.unit.cloning.test_recording import _codec

pytestmark = pytest.mark.skipif(find_spec("resemblyzer") is None,
                                reason="upload cloning needs the clone extra (else 503)")


def wav_header(channels: int, rate: int, *, bits: int = 16, fmt_tag: int = 1,
               data_size: int = 0xFFFFFFF0) -> bytes:
    """A canonical 44-byte WAV header claiming whatever it is told."""
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, (rate * block) & 0xFFFFFFFF,
                      block & 0xFFFF, bits)
    return (b"RIFF" + struct.pack("<I", (36 + data_size) & 0xFFFFFFFF) + b"WAVE"
            + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", data_size))


def constant_flac(seconds: int, rate: int, channels: int) -> bytes:
    """A DC level: FLAC stores each block in a few bytes, so this is a decompression bomb."""
    buf = io.BytesIO()
    block = np.full((rate, channels), 0.25, dtype=np.float32)
    with sf.SoundFile(buf, "w", samplerate=rate, channels=channels, format="FLAC") as out:
        for _ in range(seconds):
            out.write(block)
    return buf.getvalue()


def video_only_mp4() -> bytes:
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"  # type: ignore[attr-defined]
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 10, np.uint8),
                                               format="rgb24")
            for packet in stream.encode(frame):  # type: ignore[attr-defined]
                out.mux(packet)
        for packet in stream.encode(None):  # type: ignore[attr-defined]
            out.mux(packet)
    return buf.getvalue()


def short_speech(container: str, codec: str) -> bytes:
    """2 s of real speech (under the 3 s needed), in a container."""
    samples, rate = sf.read(SPEECH, dtype="float32")
    return encode(samples[: 2 * rate], rate, container=container, codec=_codec(codec))


def cut(data: bytes, share: float) -> bytes:
    return data[: int(len(data) * share)]


def speech_wav() -> bytes:
    """2 s of real speech as a canonical WAV (a 44-byte header)."""
    samples, rate = sf.read(SPEECH, dtype="float32")
    buf = io.BytesIO()
    sf.write(buf, samples[: 2 * rate], rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def zip_of_html() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.html", "<html><script>alert(1)</script></html>")
    return buf.getvalue()


def wav_zip_polyglot() -> bytes:
    """Valid as a WAV (readers go from the front) and as a ZIP (readers go from the back)."""
    data = speech_wav() + zip_of_html()
    assert zipfile.is_zipfile(io.BytesIO(data))
    return data


# (id, the file, its name, status, words in the detail)
CASES: list[tuple[str, Callable[[], bytes], str, int, str]] = [
    ("an-hour-of-flac-in-100kb", lambda: constant_flac(3600, 8000, 1), "hour.flac", 422,
     "no speech"),
    ("8-channels-at-384khz", lambda: constant_flac(60, 384_000, 8), "wide.flac", 422,
     "Only its first 1.9 s were read: it has 8 channels at 384000 Hz"),
    ("wav-claiming-65535-channels", lambda: wav_header(65535, 48_000) + bytes(100_000),
     "many.wav", 400, "channels"),
    ("wav-claiming-4ghz", lambda: wav_header(1, 0xFFFFFFFF) + bytes(100_000), "fast.wav", 400,
     "could not be decoded"),
    ("wav-at-1hz", lambda: wav_header(1, 1) + b"\x01\x00" * 50_000, "slow.wav", 400,
     "sample rate of 1 Hz"),
    ("wav-with-64-float-channels", lambda: wav_header(64, 48_000, bits=32, fmt_tag=3)
     + bytes(100_000), "float.wav", 400, "64 channels"),
    ("wav-header-only", lambda: speech_wav()[:44], "empty.wav", 400,
     "no audio samples"),
    ("truncated-m4a", lambda: short_speech("ipod", "aac")[:3000], "cut.m4a", 400,
     "could not be decoded"),
    ("flac-cut-in-its-first-frame", lambda: short_speech("flac", "flac")[:5000], "cut.flac",
     400, "(End of file)"),
    ("flac-cut-midway", lambda: cut(short_speech("flac", "flac"), 0.6), "half.flac", 422,
     "s of speech"),
    ("ogg-cut-short", lambda: short_speech("ogg", "libopus")[:2000], "cut.opus", 400,
     "(End of file)"),
    ("random-bytes", lambda: np.random.default_rng(7).bytes(100_000), "noise.mp3", 400,
     "could not be decoded"),
    ("zeros", lambda: bytes(100_000), "zeros.wav", 400, "could not be decoded"),
    ("png-named-wav", lambda: b"\x89PNG\r\n\x1a\n" + bytes(1000), "image.wav", 400,
     "could not be decoded"),
    ("video-without-audio", video_only_mp4, "movie.mp4", 400, "no audio stream"),
    ("wav-zip-polyglot", wav_zip_polyglot, "both.wav", 422, "s of speech after trimming"),
    ("html-then-wav-polyglot", lambda: b"<!DOCTYPE html><html><body>hi</body></html>\n"
     + speech_wav(), "page.wav", 400, "could not be decoded"),
]


def _status_kib(server: RunningServer, field: str) -> int:
    assert server.proc is not None
    with open(f"/proc/{server.proc.pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def reset_peak_rss(server: RunningServer) -> int:
    """Start a new peak-memory measurement (Linux: clear_refs 5); the resident KiB now."""
    assert server.proc is not None
    try:
        with open(f"/proc/{server.proc.pid}/clear_refs", "w") as refs:
            refs.write("5")
    except OSError as exc:
        pytest.skip(f"cannot reset the server's peak RSS here: {exc}")
    return _status_kib(server, "VmRSS")


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return {case[0]: case[1]() for case in CASES}


@pytest.mark.parametrize(("case", "filename", "status", "words"),
                         [(c[0], c[2], c[3], c[4]) for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_upload_is_a_clear_4xx(fast_server: RunningServer, files: dict[str, bytes],
                                       case: str, filename: str, status: int, words: str) -> None:
    name = unique("hostile")
    before = blob_files(fast_server)
    resp = httpx.post(f"{fast_server.base_url}/voice_clones/from_upload", timeout=120,
                      headers={"Authorization": f"Bearer {fast_server.key}"},
                      data={"name": name, "language": "en", "gender": "male"},
                      files={"audio_file": (filename, files[case])})
    assert resp.status_code == status, resp.text
    (error,) = resp.json()["errors"]
    assert error["code"] == ("10015" if status == 400 else "10038")
    assert error["source"] == {"pointer": "/audio_file"}
    assert words in error["detail"] and filename in error["detail"]
    assert resp.headers["x-should-retry"] == "false"
    assert blob_files(fast_server) == before
    listed = httpx.get(f"{fast_server.base_url}/voice_clones", params={"filter[name]": name},
                       headers={"Authorization": f"Bearer {fast_server.key}"}).json()
    assert listed["data"] == []


def test_hostile_uploads_leave_the_server_up_and_its_memory_bounded(
        fast_server: RunningServer, files: dict[str, bytes]) -> None:
    before = reset_peak_rss(fast_server)
    for case, _, filename, _, _ in CASES:
        resp = httpx.post(f"{fast_server.base_url}/voice_clones/from_upload", timeout=120,
                          headers={"Authorization": f"Bearer {fast_server.key}"},
                          data={"name": unique("again"), "language": "en", "gender": "male"},
                          files={"audio_file": (filename, files[case])})
        assert 400 <= resp.status_code < 500, (case, resp.text)
    assert httpx.get(f"http://127.0.0.1:{fast_server.port}/healthz").status_code == 200
    # Decoding is bounded to 5.76 M samples (23 MB as float32, a few copies at most);
    # unbounded, the 8-channel 384 kHz file alone would need 1.5 GB.
    assert _status_kib(fast_server, "VmHWM") - before < 300 * 1024
