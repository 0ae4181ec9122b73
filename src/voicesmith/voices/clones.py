"""Voice clones: a saved voice that can speak anything. No HTTP here.

A clone made from a design copies that design version's voice (the style
bytes) and shares its sample blob, so deleting the design, or the version,
leaves the clone sounding exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.engine.languages import Language, resolve_language
from voicesmith.errors import ConflictError, NotFoundError
from voicesmith.store.blobs import BlobStore
from voicesmith.store.models import VoiceClone, utcnow
from voicesmith.store.repositories import Page, SortKey, UnitOfWork
from voicesmith.voices.common import check_name, check_provider, discard_sample_if_unreferenced


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
    def __init__(self, sessions: sessionmaker[Session], blobs: BlobStore) -> None:
        self._sessions = sessions
        self._blobs = blobs

    def get(self, organization: str, ident: str) -> VoiceClone:
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.find(organization, ident)
            if clone is None:
                raise NotFoundError(f"Voice clone {ident!r} not found")
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
        provider = check_provider(req.provider)
        check_name(req.name)
        language = resolve_language(req.language)
        with UnitOfWork(self._sessions) as uow:
            design = uow.designs.find(organization, req.voice_design_id)
            if design is None:
                raise NotFoundError(f"Voice design {req.voice_design_id!r} not found",
                                    pointer="/voice_design_id")
            if req.version is None:
                source = uow.designs.latest_version(design)
            else:
                source = uow.designs.version(design, req.version)
            if source is None:
                raise NotFoundError(
                    f"Voice design {design.name!r} has no version {req.version}",
                    pointer="/version")
            if uow.clones.name_taken(organization, req.name):
                raise ConflictError(f"A voice clone named {req.name!r} already exists",
                                    pointer="/name")
            now = utcnow()
            clone = VoiceClone(
                organization=organization, name=req.name, source_design_id=design.id,
                source_design_version=source.version, language=req.language,
                engine_language=_engine_language(language, source.engine_language),
                gender=req.gender, label=source.prompt, provider=provider, status="active",
                style=source.style, sample_key=source.sample_key, sample_size=source.sample_size,
                created_at=now, updated_at=now,
            )
            uow.add(clone)
            uow.commit()
            return clone

    def update(self, organization: str, ident: str, *, name: str, gender: str | None,
               language: str | None) -> VoiceClone:
        check_name(name)
        requested = resolve_language(language) if language is not None else None
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.find(organization, ident)
            if clone is None:
                raise NotFoundError(f"Voice clone {ident!r} not found")
            if uow.clones.name_taken(organization, name, excluding=clone.id):
                raise ConflictError(f"A voice clone named {name!r} already exists",
                                    pointer="/name")
            clone.name = name
            if gender is not None:
                clone.gender = gender
            if requested is not None:
                clone.language = language
                clone.engine_language = _engine_language(requested, clone.engine_language)
            clone.updated_at = utcnow()
            uow.commit()
            return clone

    def delete(self, organization: str, ident: str) -> None:
        with UnitOfWork(self._sessions) as uow:
            clone = uow.clones.find(organization, ident)
            if clone is None:
                raise NotFoundError(f"Voice clone {ident!r} not found")
            key = clone.sample_key
            uow.delete(clone)
            uow.commit()
        discard_sample_if_unreferenced(self._sessions, self._blobs, key)
