"""audio_id jobs under faults: a full disk fails the job with a storage error and leaves
no file; a process killed between the audio and its sidecar leaves a half that the
next start removes."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.support.limits import file_size_limit
from voicesmith.errors import StorageFullError, SynthesisError
from voicesmith.voices.audio_jobs import AudioJob, AudioJobs
from voicesmith.voices.speech import EncodedChunk


class FakeOutput:
    extension = "wav"


class FakeStream:
    """Stands in for a SpeechStream: yields ``chunks`` of encoded bytes."""

    media_type = "audio/wav"
    output = FakeOutput()

    def __init__(self, *chunks: bytes) -> None:
        self._chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[EncodedChunk]:
        for i, data in enumerate(self._chunks):
            yield EncodedChunk(data, "", i == len(self._chunks) - 1)

    def close(self) -> None:
        self.closed = True


def finished(jobs: AudioJobs, stream: FakeStream) -> AudioJob:
    job = jobs.start("acme", stream)  # type: ignore[arg-type]
    assert job.done.wait(30)
    return job


def test_a_finished_job_keeps_its_audio_and_sidecar(tmp_path: Path) -> None:
    jobs = AudioJobs(tmp_path, retention_seconds=3600)
    job = finished(jobs, FakeStream(b"RIFF", b"data"))
    assert job.failure() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{job.id}.json", f"{job.id}.wav"]
    assert (tmp_path / f"{job.id}.wav").read_bytes() == b"RIFFdata"


def test_a_full_disk_fails_the_job_as_storage_full_and_leaves_no_file(tmp_path: Path) -> None:
    jobs = AudioJobs(tmp_path, retention_seconds=3600)
    stream = FakeStream(b"\1" * (1 << 20), b"\2" * (1 << 20))
    with file_size_limit(1 << 20):  # the second chunk would pass 1 MiB: EFBIG
        job = finished(jobs, stream)
    failure = job.failure()
    assert isinstance(failure, StorageFullError) and "the audio" in failure.detail
    assert failure is not job.failure()  # a new error per request: no traceback piles up
    assert stream.closed and list(tmp_path.iterdir()) == []


def test_another_failure_stays_a_synthesis_failure(tmp_path: Path) -> None:
    job = AudioJob("j", "acme", "audio/wav", tmp_path / "j.part", time.time())
    job.error = SynthesisError("engine failed")
    assert job.failure() is None  # still running: no verdict yet
    job.done.set()
    failure = job.failure()
    assert isinstance(failure, SynthesisError) and "engine failed" in failure.detail


def test_halves_left_by_a_crash_are_removed_at_start(tmp_path: Path) -> None:
    jobs = AudioJobs(tmp_path, retention_seconds=3600)
    whole = finished(jobs, FakeStream(b"whole"))
    audio_only, sidecar_only = str(uuid.uuid4()), str(uuid.uuid4())
    (tmp_path / f"{audio_only}.wav").write_bytes(b"no sidecar")
    (tmp_path / f"{sidecar_only}.json").write_text(json.dumps({
        "organization": "acme", "media_type": "audio/wav", "created": time.time(),
        "file": f"{sidecar_only}.wav"}))
    (tmp_path / f"{audio_only}.json.tmp").write_text("{")

    AudioJobs(tmp_path, retention_seconds=3600)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{whole.id}.json", f"{whole.id}.wav"]
