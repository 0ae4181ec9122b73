"""An ``audio_id`` reaches the disk only as the canonical UUID this server made, and a
sidecar only ever names its own job's file: nothing outside the audio folder is read
or deleted, whatever the id or the folder's contents."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest

from voicesmith.errors import NotFoundError
from voicesmith.voices.audio_jobs import AudioJobs, stream_job

JOB = "3f2b8c1e-7d4a-4e6b-9a1c-2b3d4e5f6a7b"


@pytest.fixture
def jobs(tmp_path: Path) -> AudioJobs:
    return AudioJobs(tmp_path / "data" / "speech-audio", retention_seconds=3600)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside the data dir that no id may reach."""
    path = tmp_path / "secret.mp3"
    path.write_bytes(b"not yours")
    return path


def plant(jobs: AudioJobs, stem: str, file: str, *, created: float | None = None) -> None:
    meta = {"organization": "acme", "media_type": "audio/mpeg",
            "created": time.time() if created is None else created, "file": file}
    (jobs.root / f"{stem}.json").write_text(json.dumps(meta), encoding="utf-8")


def test_a_finished_job_on_disk_is_found(jobs: AudioJobs) -> None:
    """The control: the shape the server writes is served (so the refusals below mean something)."""
    (jobs.root / f"{JOB}.mp3").write_bytes(b"ID3 audio")
    plant(jobs, JOB, f"{JOB}.mp3")
    assert b"".join(stream_job(jobs.get("acme", JOB))) == b"ID3 audio"


@pytest.mark.parametrize("job_id", [
    "../../secret", "..", "", "/etc/passwd", "%2e%2e%2fsecret", "secret", "a\0b", "x" * 5000,
    # Forms uuid.UUID() accepts that the server never hands out.
    JOB.upper(), JOB.replace("-", ""), "{" + JOB + "}", "urn:uuid:" + JOB,
])
def test_ids_not_in_the_servers_form_are_not_found(jobs: AudioJobs, job_id: str) -> None:
    # Each would find a sidecar if it were joined to the folder as it is.
    stem = job_id if job_id and "/" not in job_id and "\0" not in job_id \
        and len(job_id) < 200 and job_id != ".." else None
    if stem:
        (jobs.root / f"{stem}.mp3").write_bytes(b"planted")
        plant(jobs, stem, f"{stem}.mp3")
    with pytest.raises(NotFoundError):
        jobs.get("acme", job_id)


@pytest.mark.parametrize("file", ["../../secret.mp3", "ABSOLUTE", f"{JOB}.mp3/../../../secret.mp3",
                                  "other.mp3", ".."])
def test_a_sidecar_naming_another_file_is_not_served(jobs: AudioJobs, secret: Path,
                                                     file: str) -> None:
    plant(jobs, JOB, str(secret) if file == "ABSOLUTE" else file)
    with pytest.raises(NotFoundError):
        jobs.get("acme", JOB)


def test_sweeping_expired_audio_deletes_only_its_own_files(jobs: AudioJobs, secret: Path) -> None:
    old = time.time() - 7200
    other = str(uuid.uuid4())
    plant(jobs, JOB, str(secret), created=old)
    plant(jobs, other, "../../secret.mp3", created=old)
    own = str(uuid.uuid4())
    (jobs.root / f"{own}.mp3").write_bytes(b"expired")
    plant(jobs, own, f"{own}.mp3", created=old)
    jobs.sweep()
    assert secret.read_bytes() == b"not yours"
    assert sorted(os.listdir(jobs.root)) == []  # the sidecars and the expired audio are gone
