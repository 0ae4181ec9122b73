"""Clones captured from an uploaded recording: the request, the capture, its end. No HTTP.

``CloneService.create_from_upload`` hands an embedded-engine upload here. The
trimmed recording (the clone's sample) is written and a ``pending`` row
committed, then the capture runs on this process's capture thread
(``voices.uploads``) or, with a job queue, in a ``voicesmith worker``
(``jobs.capture_queue``). Either way the request waits up to ``sync_wait_s``
and answers ``active``, or ``pending`` if the capture takes longer; a capture
that fails within the wait stores nothing and is the request's error.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from voicesmith.engine.base import SpeechEngine
from voicesmith.errors import AudioProcessingError, VoicesmithError
from voicesmith.faults import crash_point
from voicesmith.store.blobs import BlobStore
from voicesmith.store.models import VoiceClone, utcnow
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.common import (
    check_clone_name,
    check_name,
    discard_sample_if_unreferenced,
)
from voicesmith.voices.uploads import (
    CaptureDeferrer,
    CapturedUpload,
    CloneFromUpload,
    UploadCapturer,
)

log = logging.getLogger(__name__)

# How long an upload request waits for its capture before answering 202
# pending (VOICESMITH_UPLOAD_WAIT_SECONDS). A capture takes 6-9 s of CPU; the SDKs time
# out at 60 s and then re-send the upload, so the answer must come well before.
SYNC_WAIT_S = 40.0
# A pending clone older than this has no capture running any more (captures
# run in the server process): it is marked failed, at start or when read.
STALE_PENDING_S = 900.0
# How often a request waiting for a queued capture looks at its clone's row.
QUEUE_POLL_S = 0.25
STOPPED_DETAIL = ("The server stopped before the capture finished; upload the recording "
                  "again.")


def _fail(clone: VoiceClone, detail: str) -> None:
    clone.status = "failed"
    clone.capture = {"error": detail}
    clone.updated_at = utcnow()


def _older_than(when: datetime, seconds: float) -> bool:
    if when.tzinfo is None:  # SQLite hands datetimes back naive; they were stored as UTC
        when = when.replace(tzinfo=UTC)
    return utcnow() - when > timedelta(seconds=seconds)


class UploadClones:
    def __init__(self, sessions: sessionmaker[Session], blobs: BlobStore,
                 uploads: UploadCapturer, *, sync_wait_s: float = SYNC_WAIT_S,
                 queue: CaptureDeferrer | None = None) -> None:
        self._sessions = sessions
        self._blobs = blobs
        self._uploads = uploads
        self._sync_wait_s = sync_wait_s
        self._queue = queue
        if queue is None:  # queued captures stay pending until a worker runs them
            self._fail_stale_pending()

    def create(self, organization: str, req: CloneFromUpload, engine: SpeechEngine,
               provider: str) -> VoiceClone:
        """Cheap checks first (fields, the clone extra, the name), then decode, store, capture."""
        check_name(req.name)
        checked = self._uploads.check(req)
        with UnitOfWork(self._sessions) as uow:
            check_clone_name(uow, organization, req.name)
        recording = self._uploads.decode(req)
        key = self._blobs.put(recording.wav)
        crash_point("upload.after_sample_write")
        clone_id: str | None = None
        try:
            with UnitOfWork(self._sessions) as uow:
                # Checked again: another request may have taken the name meanwhile.
                check_clone_name(uow, organization, req.name)
                now = utcnow()
                clone = VoiceClone(
                    organization=organization, name=req.name, source="upload",
                    language=req.language, engine_language=checked.language.code,
                    gender=req.gender, label=req.label, provider=provider,
                    model_id=checked.model_id, status="pending", style=b"",
                    sample_key=key, sample_size=len(recording.wav), created_at=now,
                    updated_at=now,
                )
                uow.add(clone)
                uow.commit()
                clone_id = clone.id
            crash_point("upload.after_pending_commit")
            if self._queue is not None:
                self._queue.defer(clone.id, ref_text=req.ref_text)
            else:
                future = self._uploads.submit(req, checked, recording, engine)
        except BaseException:
            self._remove_upload(clone_id, key)
            raise
        if self._queue is not None:
            return self._await_queued(clone, key)
        try:
            captured = future.result(timeout=self._sync_wait_s)
        except FutureTimeout:
            future.add_done_callback(lambda f: self._finish_capture(clone.id, f))
            return clone
        except BaseException:
            self._remove_upload(clone.id, key)
            raise
        return self._activate(clone.id, captured) or clone

    def checked(self, clone: VoiceClone) -> VoiceClone:
        """``clone``, failed first if it is pending with no capture that can still end it."""
        if (clone.status == "pending" and self._queue is None
                and _older_than(clone.updated_at, STALE_PENDING_S)):
            # Its capture died with a server process that stopped since.
            return self._mark_failed(clone.id, STOPPED_DETAIL) or clone
        return clone

    def _await_queued(self, clone: VoiceClone, key: str) -> VoiceClone:
        """A queued capture's clone once a worker ends it, or still pending after the wait.

        As with the capture thread: a failure within the wait stores nothing and
        is the request's error.
        """
        deadline = time.monotonic() + self._sync_wait_s
        while time.monotonic() < deadline:
            time.sleep(QUEUE_POLL_S)
            with UnitOfWork(self._sessions) as uow:
                current = uow.session.get(VoiceClone, clone.id)
            if current is None or current.status == "active":
                return current or clone
            if current.status == "failed":
                self._remove_upload(clone.id, key)
                detail = (current.capture or {}).get("error", "The capture failed.")
                raise AudioProcessingError(str(detail))
        return clone

    def run_queued_capture(self, clone_id: str, ref_text: str | None,
                           engine: SpeechEngine) -> None:
        """A queue worker's side: capture a pending clone from its stored sample.

        The sample is the trimmed recording the request stored, so the worker
        needs nothing else. A clone deleted meanwhile, or already ended (a job
        run twice after its worker was lost), is left as it is.
        """
        with UnitOfWork(self._sessions) as uow:
            clone = uow.session.get(VoiceClone, clone_id)
        if clone is None or clone.status != "pending":
            return
        req = CloneFromUpload(name=clone.name, language=clone.engine_language,
                              gender=clone.gender or "neutral",
                              audio=self._blobs.get(clone.sample_key), filename="sample.wav",
                              model_id=clone.model_id, ref_text=ref_text)
        try:
            checked = self._uploads.check(req)
            captured = self._uploads.capture(req, checked, self._uploads.decode(req), engine)
        except VoicesmithError as exc:
            log.warning("capture of voice clone %s failed: %s", clone_id, exc.detail)
            self._mark_failed(clone_id, exc.detail)
            return
        except Exception:
            # Not a domain error (a bug, a library's failure): the clone says it failed
            # rather than stay pending (queued captures have no stale timeout), and the
            # job fails in the queue with the traceback.
            self._mark_failed(clone_id, "The capture failed on an internal error; upload the "
                                        "recording again.")
            raise
        self._activate(clone_id, captured)

    def _activate(self, clone_id: str, captured: CapturedUpload) -> VoiceClone | None:
        with UnitOfWork(self._sessions) as uow:
            clone = uow.session.get(VoiceClone, clone_id)
            if clone is None:  # deleted while it was captured
                return None
            clone.style = captured.style.to_bytes()
            clone.postprocess = captured.postprocess
            clone.capture = captured.report
            clone.status = "active"
            clone.updated_at = utcnow()
            uow.commit()
            return clone

    def _finish_capture(self, clone_id: str, future: Future[CapturedUpload]) -> None:
        """The end of a capture that outlived its request: active, or failed with why."""
        error = future.exception()
        if error is None:
            self._activate(clone_id, future.result())
            return
        log.warning("capture of voice clone %s failed: %s", clone_id, error, exc_info=error)
        detail = error.detail if isinstance(error, VoicesmithError) else "internal error"
        self._mark_failed(clone_id, detail)

    def _mark_failed(self, clone_id: str, detail: str) -> VoiceClone | None:
        """A pending clone's capture failed; the clone as it now is (None: deleted)."""
        with UnitOfWork(self._sessions) as uow:
            clone = uow.session.get(VoiceClone, clone_id)
            if clone is not None and clone.status == "pending":
                _fail(clone, detail)
                uow.commit()
            return clone

    def _remove_upload(self, clone_id: str | None, key: str) -> None:
        if clone_id is not None:
            with UnitOfWork(self._sessions) as uow:
                clone = uow.session.get(VoiceClone, clone_id)
                if clone is not None:
                    uow.delete(clone)
                    uow.commit()
        discard_sample_if_unreferenced(self._sessions, self._blobs, key)

    def _fail_stale_pending(self) -> None:
        """Pending clones whose capture cannot still be running (a restart, a crash)."""
        cutoff = utcnow() - timedelta(seconds=STALE_PENDING_S)
        with UnitOfWork(self._sessions) as uow:
            stale = uow.session.scalars(select(VoiceClone).where(
                VoiceClone.status == "pending", VoiceClone.updated_at < cutoff)).all()
            for clone in stale:
                _fail(clone, STOPPED_DETAIL)
            if stale:
                uow.commit()
