"""Voice clones: a saved voice that can speak anything. No HTTP here.

A clone made from a design copies that design version's voice (the style
bytes) and shares its sample blob, so deleting the design, or the version,
leaves the clone sounding exactly as before. A clone made from an upload is
captured from the recording (``voices.uploads``); its sample is the trimmed
recording.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from voicesmith.engine.base import SpeechEngine
from voicesmith.engine.languages import Language, resolve_language
from voicesmith.errors import (
    AudioProcessingError,
    ConflictError,
    NotFoundError,
    ValidationError,
    VoicesmithError,
)
from voicesmith.faults import crash_point
from voicesmith.providers import EMBEDDED, Providers
from voicesmith.store.blobs import BlobStore
from voicesmith.store.models import VoiceClone, utcnow
from voicesmith.store.repositories import Page, SortKey, UnitOfWork
from voicesmith.voices.common import check_name, discard_sample_if_unreferenced
from voicesmith.voices.remote_clones import RemoteClones, remote_clone_of_version
from voicesmith.voices.uploads import (
    CaptureDeferrer,
    CapturedUpload,
    CloneFromUpload,
    UploadCapturer,
)

log = logging.getLogger(__name__)

# How long an upload request waits for its capture before answering 202
# pending (VOICESMITH_UPLOAD_WAIT_SECONDS). A capture takes ~20 s; the SDKs time
# out at 60 s and then re-send the upload, so the answer must come well before.
SYNC_WAIT_S = 40.0
# A pending clone older than this has no capture running any more (captures
# run in the server process): it is marked failed, at start or when read.
STALE_PENDING_S = 900.0
# How often a request waiting for a queued capture looks at its clone's row.
QUEUE_POLL_S = 0.25
STOPPED_DETAIL = ("The server stopped before the capture finished; upload the recording "
                  "again.")


@dataclass(frozen=True)
class CloneFromDesign:
    name: str
    voice_design_id: str
    language: str
    gender: str
    version: int | None = None
    provider: str = "telnyx"


def _engine_language(requested: Language, current: str) -> str:
    """The language a clone speaks: the requested one, keeping the voice's accent.

    A British-English design cloned with language "en" stays British.
    """
    if requested.iso639_1 == current.split("-")[0]:
        return current
    return requested.code


def _fail(clone: VoiceClone, detail: str) -> None:
    clone.status = "failed"
    clone.capture = {"error": detail}
    clone.updated_at = utcnow()


def _older_than(when: datetime, seconds: float) -> bool:
    if when.tzinfo is None:  # SQLite hands datetimes back naive; they were stored as UTC
        when = when.replace(tzinfo=UTC)
    return utcnow() - when > timedelta(seconds=seconds)


class CloneService:
    def __init__(self, sessions: sessionmaker[Session], blobs: BlobStore, *,
                 stock_cache_path: Path, sync_wait_s: float = SYNC_WAIT_S,
                 uploads: UploadCapturer | None = None, capture_nice: int = 0,
                 queue: CaptureDeferrer | None = None,
                 providers: Providers | None = None) -> None:
        """``stock_cache_path``: where capture keeps the stock voices' speaker
        embeddings (in the data dir). ``uploads`` replaces the capturer (tests).
        ``capture_nice`` lowers the capture thread's OS priority, as synthesis's.
        ``queue``: captures go to a job queue that workers run (survives restarts),
        instead of this process's capture thread."""
        self._sessions = sessions
        self._blobs = blobs
        self._uploads = uploads or UploadCapturer(stock_cache_path, nice=capture_nice)
        self._sync_wait_s = sync_wait_s
        self._queue = queue
        self._providers = providers or Providers()
        self._remote = RemoteClones(sessions, blobs, self._providers)
        if queue is None:  # queued captures stay pending until a worker runs them
            self._fail_stale_pending()

    def get(self, organization: str, ident: str) -> VoiceClone:
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.get(organization, ident)
        if (clone.status == "pending" and self._queue is None
                and _older_than(clone.updated_at, STALE_PENDING_S)):
            # Its capture died with a server process that stopped since.
            return self._mark_failed(clone.id, STOPPED_DETAIL) or clone
        return clone

    def list(self, organization: str, *, name_contains: str | None, provider: str | None,
             sort: SortKey, page: Page) -> tuple[list[VoiceClone], int]:
        extra = [VoiceClone.provider == provider.lower()] if provider else []
        with UnitOfWork(self._sessions) as uow:
            return uow.clones.page(organization, name_contains=name_contains, sort=sort,
                                   page=page, extra=extra)

    def sample(self, organization: str, ident: str) -> bytes:
        return self._blobs.get(self.get(organization, ident).sample_key)

    def create_from_design(self, organization: str, req: CloneFromDesign) -> VoiceClone:
        provider = self._providers.check(req.provider)
        check_name(req.name)
        # A remote provider speaks languages the engine has no voices for: its
        # designs' clones do not need the engine's language.
        try:
            language: Language | None = resolve_language(req.language)
        except ValidationError:
            if provider == EMBEDDED:
                raise
            language = None
        with UnitOfWork(self._sessions) as uow:
            design = uow.designs.get(organization, req.voice_design_id, pointer="/voice_design_id")
            if req.version is None:
                source = uow.designs.latest_version(design)
            else:
                source = uow.designs.version(design, req.version)
            if source is None:
                raise NotFoundError(
                    f"Voice design {design.name!r} has no version {req.version}",
                    pointer="/version")
            self._check_clone_name(uow, organization, req.name)
            if (design.provider or EMBEDDED) != EMBEDDED:
                remote = self._providers.get(design.provider)
                clone = remote_clone_of_version(
                    organization, req.name, design, source, language=req.language,
                    gender=req.gender, requested_provider=provider,
                    model_id=remote.default_model)
                uow.add(clone)
                uow.commit()
                return clone
            if provider != EMBEDDED or language is None:
                raise ValidationError(
                    f"Voice design {design.name!r} is an embedded-engine ('telnyx') voice; "
                    f"its clones are 'telnyx' voices too.", pointer="/provider")
            now = utcnow()
            clone = VoiceClone(
                organization=organization, name=req.name, source_design_id=design.id,
                source_design_version=source.version, language=req.language,
                engine_language=_engine_language(language, source.engine_language),
                gender=req.gender, label=source.prompt, provider=provider, status="active",
                style=source.style, postprocess=source.transform,
                sample_key=source.sample_key, sample_size=source.sample_size,
                created_at=now, updated_at=now,
            )
            uow.add(clone)
            crash_point("clone.before_commit")
            uow.commit()
            return clone

    def create_from_upload(self, organization: str, req: CloneFromUpload,
                           engine: SpeechEngine) -> VoiceClone:
        """A clone captured from a recording: ``active``, or ``pending`` if capture is slow.

        Cheap checks first (fields, the clone extra, the name), then decode.
        The trimmed recording (the clone's sample) is written and a ``pending``
        row committed, and the capture runs on the capture thread. If it ends
        within ``sync_wait_s`` (the usual case: ~20 s), the clone is returned
        ``active``, or on failure removed with its sample and the error raised:
        nothing is stored on any error. If it takes longer (a queue, or a first
        capture that embeds the stock voices), the ``pending`` clone is
        returned and becomes ``active`` or ``failed`` when the capture ends.
        """
        provider = self._providers.check(req.provider)
        if provider != EMBEDDED:
            return self._remote.create_from_upload(organization, provider, req)
        check_name(req.name)
        checked = self._uploads.check(req)
        with UnitOfWork(self._sessions) as uow:
            self._check_clone_name(uow, organization, req.name)
        recording = self._uploads.decode(req)
        key = self._blobs.put(recording.wav)
        crash_point("upload.after_sample_write")
        clone_id: str | None = None
        try:
            with UnitOfWork(self._sessions) as uow:
                # Checked again: another request may have taken the name meanwhile.
                self._check_clone_name(uow, organization, req.name)
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

    @staticmethod
    def _check_clone_name(uow: UnitOfWork, organization: str, name: str, *,
                          excluding: str | None = None) -> None:
        if uow.clones.name_taken(organization, name, excluding=excluding):
            raise ConflictError(f"A voice clone named {name!r} already exists", pointer="/name")

    def update(self, organization: str, ident: str, *, name: str, gender: str | None,
               language: str | None) -> VoiceClone:
        check_name(name)
        requested = resolve_language(language) if language is not None else None
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.get(organization, ident)
            self._check_clone_name(uow, organization, name, excluding=clone.id)
            clone.name = name
            if gender is not None:
                clone.gender = gender
            if requested is not None:
                clone.language = language
                clone.engine_language = _engine_language(requested, clone.engine_language)
            clone.updated_at = utcnow()
            crash_point("rename.before_commit")
            uow.commit()
            return clone

    def delete(self, organization: str, ident: str) -> None:
        """A remote clone's voice is deleted at its provider first (``voices.remote_clones``)."""
        self._remote.delete_voice_of(self.get(organization, ident))
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.get(organization, ident)
            key = clone.sample_key
            uow.delete(clone)
            crash_point("delete.before_commit")
            uow.commit()
        crash_point("delete.after_commit")
        discard_sample_if_unreferenced(self._sessions, self._blobs, key)
