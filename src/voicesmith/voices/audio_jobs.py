"""Speech rendered to a file for later download (``output_type: audio_id``).

A job synthesizes in a background thread into ``<id>.part`` under the data
dir; the file is readable (and streamed to a client that asks early) while it
grows, and renamed to ``<id>.<ext>`` with a small JSON sidecar when complete.
Finished audio is kept for ``retention_seconds`` (default one hour) and
survives a restart; a job interrupted by a restart is gone (its part file is
removed at start). The sidecar is written to a temp file before the audio is
renamed and renamed after it, so a process killed between the two leaves audio
without a sidecar: never served, and removed at start with any other half.
A full disk fails the job with ``StorageFullError`` (507), its files removed.
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

from voicesmith.errors import NotFoundError, StorageFullError, SynthesisError, VoicesmithError
from voicesmith.faults import crash_point
from voicesmith.store.disk import full_disk_as_domain_error, is_storage_full, storage_full_error
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
    error: VoicesmithError | None = None

    def failure(self) -> VoicesmithError | None:
        """Why the finished job has no audio, as a new error to raise (None: it has audio).

        A full disk stays a full disk (507); anything else is the synthesis's failure (502).
        """
        if not self.done.is_set() or self.error is None:
            return None
        if isinstance(self.error, StorageFullError):
            return StorageFullError(self.error.detail)
        return SynthesisError(f"Synthesis of audio {self.id} failed: {self.error.detail}")

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
        for part in [*root.glob("*.part"), *root.glob("*.tmp")]:  # a job cut short by a restart
            part.unlink(missing_ok=True)
        self._remove_halves()
        self.sweep()

    def _remove_halves(self) -> None:
        """Audio without its sidecar, or a sidecar without its audio (a process died between)."""
        for path in self.root.iterdir():
            if not path.is_file():
                continue
            if path.suffix == ".json":
                try:
                    file = json.loads(path.read_text(encoding="utf-8"))["file"]
                except (ValueError, KeyError, TypeError, OSError):
                    file = None
                if not _own_file(path.stem, file) or not (self.root / str(file)).exists():
                    path.unlink(missing_ok=True)
            elif not (self.root / f"{path.name.split('.', 1)[0]}.json").exists():
                path.unlink(missing_ok=True)

    def start(self, organization: str, stream: SpeechStream) -> AudioJob:
        """Run ``stream`` to a file in the background; the job is listed at once."""
        self.sweep()
        job_id = str(uuid.uuid4())
        job = AudioJob(job_id, organization, stream.media_type, self.root / f"{job_id}.part",
                       time.time())
        try:
            with full_disk_as_domain_error("the audio"):
                job.path.touch()
        except BaseException:
            stream.close()
            raise
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
            meta = {"organization": job.organization, "media_type": job.media_type,
                    "created": job.created, "file": final.name}
            sidecar = self.root / f"{job.id}.json"
            tmp_sidecar = sidecar.with_suffix(".json.tmp")
            tmp_sidecar.write_text(json.dumps(meta), encoding="utf-8")
            os.replace(job.path, final)
            crash_point("audio_id.before_index")
            os.replace(tmp_sidecar, sidecar)  # the audio is kept from here on
            job.path = final
        except VoicesmithError as exc:
            job.error = exc
            log.error("audio %s failed: %s", job.id, exc.detail)
        except OSError as exc:  # disk full and the like: the job fails, the server lives on
            job.error = (storage_full_error("the audio") if is_storage_full(exc) else
                         SynthesisError(f"writing the audio failed: {exc}"))
            log.error("audio %s failed: %s", job.id, exc)
        finally:
            if job.error is not None:  # no half kept, to fill the disk further
                for path in self.root.glob(f"{job.id}.*"):
                    path.unlink(missing_ok=True)
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
        # Only an id this class made becomes a path: the canonical lowercase UUID form
        # (uuid.UUID alone also takes braces, "urn:uuid:" and bare hex), and the
        # sidecar may only name that id's own file in this folder.
        try:
            if str(uuid.UUID(job_id)) != job_id:
                return None
            meta = json.loads((self.root / f"{job_id}.json").read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            return None
        file = meta.get("file") if isinstance(meta, dict) else None
        if not _own_file(job_id, file):
            return None
        job = AudioJob(job_id, meta["organization"], meta["media_type"],
                       self.root / str(file), float(meta["created"]))
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
                    if _own_file(meta.stem, info["file"]):  # never any other file
                        (self.root / info["file"]).unlink(missing_ok=True)
                    meta.unlink(missing_ok=True)
            except (ValueError, KeyError, FileNotFoundError):
                continue


def _own_file(job_id: str, file: object) -> bool:
    """Whether a sidecar's ``file`` is its job's audio: ``<id>.<ext>``, in this folder."""
    return (isinstance(file, str) and file.startswith(f"{job_id}.") and "/" not in file
            and "\\" not in file and "\0" not in file)


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
