"""Speech rendered to a file for later download (``output_type: audio_id``).

A job synthesizes in a background thread into ``<id>.part`` under the data
dir; the file is readable (and streamed to a client that asks early) while it
grows, and renamed to ``<id>.<ext>`` with a small JSON sidecar when complete.
Finished audio is kept for ``retention_seconds`` (default one hour) and
survives a restart; a job interrupted by a restart is gone (its part file is
removed at start).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from voicesmith.errors import NotFoundError, VoicesmithError
from voicesmith.voices.speech import SpeechStream

log = logging.getLogger("voicesmith.speech")
READ_BLOCK = 64 * 1024


@dataclass
class AudioJob:
    id: str
    organization: str
    media_type: str
    path: Path
    created: float
    done: threading.Event = field(default_factory=threading.Event)
    error: str | None = None

    def wait_for_data(self, offset: int, timeout: float) -> bool:
        """True once the file has bytes beyond ``offset`` or the job is finished."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.done.is_set() or _size(self.path) > offset:
                return True
            time.sleep(0.02)
        return False

    def read_from(self, offset: int) -> bytes:
        try:
            with open(self.path, "rb") as f:
                f.seek(offset)
                return f.read(READ_BLOCK)
        except FileNotFoundError:
            return b""


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class AudioJobs:
    def __init__(self, root: Path, *, retention_seconds: float) -> None:
        self.root = root
        self.retention_seconds = retention_seconds
        root.mkdir(parents=True, exist_ok=True)
        self._jobs: dict[str, AudioJob] = {}
        self._lock = threading.Lock()
        for part in root.glob("*.part"):  # a job cut short by a restart
            part.unlink(missing_ok=True)
        self.sweep()

    def start(self, organization: str, stream: SpeechStream) -> AudioJob:
        """Run ``stream`` to a file in the background; the job is listed at once."""
        self.sweep()
        job_id = str(uuid.uuid4())
        job = AudioJob(job_id, organization, stream.media_type, self.root / f"{job_id}.part",
                       time.time())
        job.path.touch()
        with self._lock:
            self._jobs[job_id] = job
        threading.Thread(target=self._run, args=(job, stream, stream.output.extension),
                         name=f"audio-{job_id[:8]}", daemon=True).start()
        return job

    def _run(self, job: AudioJob, stream: SpeechStream, extension: str) -> None:
        try:
            with open(job.path, "ab") as f:
                for chunk in stream:
                    f.write(chunk.data)
                    f.flush()
                os.fsync(f.fileno())
            final = self.root / f"{job.id}.{extension}"
            os.replace(job.path, final)
            meta = {"organization": job.organization, "media_type": job.media_type,
                    "created": job.created, "file": final.name}
            (self.root / f"{job.id}.json").write_text(json.dumps(meta), encoding="utf-8")
            job.path = final
        except VoicesmithError as exc:
            job.error = exc.detail
            log.error("audio %s failed: %s", job.id, exc.detail)
        except OSError as exc:  # disk full and the like: the job fails, the server lives on
            job.error = f"writing the audio failed: {exc}"
            log.error("audio %s failed: %s", job.id, exc)
        finally:
            stream.close()
            job.done.set()

    def get(self, organization: str, job_id: str) -> AudioJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            job = self._load(job_id)
        if job is None or job.organization != organization or self._expired(job):
            raise NotFoundError(
                f"Audio {job_id!r} not found: it never existed, or it has expired (audio is "
                f"kept for {self.retention_seconds / 60:g} minutes).")
        return job

    def _load(self, job_id: str) -> AudioJob | None:
        try:
            uuid.UUID(job_id)
            meta = json.loads((self.root / f"{job_id}.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return None
        job = AudioJob(job_id, meta["organization"], meta["media_type"],
                       self.root / meta["file"], float(meta["created"]))
        job.done.set()
        return job

    def _expired(self, job: AudioJob) -> bool:
        return job.done.is_set() and time.time() - job.created > self.retention_seconds

    def sweep(self) -> None:
        """Forget and delete finished audio older than the retention time."""
        cutoff = time.time() - self.retention_seconds
        with self._lock:
            for job_id, job in list(self._jobs.items()):
                if job.done.is_set() and job.created < cutoff:
                    del self._jobs[job_id]
        for meta in self.root.glob("*.json"):
            try:
                info = json.loads(meta.read_text(encoding="utf-8"))
                if float(info["created"]) < cutoff:
                    (self.root / info["file"]).unlink(missing_ok=True)
                    meta.unlink(missing_ok=True)
            except (ValueError, KeyError, FileNotFoundError):
                continue


def stream_job(job: AudioJob, poll_seconds: float = 1.0) -> Iterator[bytes]:
    """The job's bytes from the start, following the file while synthesis runs."""
    offset = 0
    while True:
        data = job.read_from(offset)
        if data:
            offset += len(data)
            yield data
            continue
        if job.done.is_set():
            # The rename may have happened between our read and the check.
            rest = job.read_from(offset)
            if not rest:
                return
            offset += len(rest)
            yield rest
            continue
        job.wait_for_data(offset, poll_seconds)
