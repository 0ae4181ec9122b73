"""Voice clones: a saved voice that can speak anything. No HTTP here.

A clone made from a design copies that design version's voice (the style
bytes) and shares its sample blob, so deleting the design, or the version,
leaves the clone sounding exactly as before. A clone made from an upload is
captured from the recording (``voices.upload_clones``); its sample is the
trimmed recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.engine.base import SpeechEngine
from voicesmith.engine.languages import Language, resolve_language
from voicesmith.errors import NotFoundError, ValidationError
from voicesmith.faults import crash_point
from voicesmith.providers import EMBEDDED, Providers
from voicesmith.store.blobs import BlobStore
from voicesmith.store.models import VoiceClone, utcnow
from voicesmith.store.repositories import Page, SortKey, UnitOfWork
from voicesmith.voices.common import (
    check_clone_name,
    check_name,
    discard_sample_if_unreferenced,
)
from voicesmith.voices.remote_clones import RemoteClones, remote_clone_of_version
from voicesmith.voices.upload_clones import SYNC_WAIT_S, UploadClones
from voicesmith.voices.uploads import (
    CaptureDeferrer,
    CloneFromUpload,
    UploadCapturer,
)


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
        self._upload_clones = UploadClones(
            sessions, blobs, uploads or UploadCapturer(stock_cache_path, nice=capture_nice),
            sync_wait_s=sync_wait_s, queue=queue)
        self._providers = providers or Providers()
        self._remote = RemoteClones(sessions, blobs, self._providers)

    def get(self, organization: str, ident: str) -> VoiceClone:
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.get(organization, ident)
        return self._upload_clones.checked(clone)

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
            check_clone_name(uow, organization, req.name)
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
        within ``sync_wait_s`` (the usual case: under 10 s of CPU), the clone is
        returned ``active``, or on failure removed with its sample and the error
        raised: nothing is stored on any error. If it takes longer (a queue, or
        another model than the shipped voice bank's), the ``pending`` clone is
        returned and becomes ``active`` or ``failed`` when the capture ends.
        """
        provider = self._providers.check(req.provider)
        if provider != EMBEDDED:
            return self._remote.create_from_upload(organization, provider, req)
        return self._upload_clones.create(organization, req, engine, provider)

    def run_queued_capture(self, clone_id: str, ref_text: str | None,
                           engine: SpeechEngine) -> None:
        """A queue worker's side of an upload clone (``voices.upload_clones``)."""
        self._upload_clones.run_queued_capture(clone_id, ref_text, engine)

    def update(self, organization: str, ident: str, *, name: str, gender: str | None,
               language: str | None) -> VoiceClone:
        check_name(name)
        requested = resolve_language(language) if language is not None else None
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.get(organization, ident)
            check_clone_name(uow, organization, name, excluding=clone.id)
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
