"""Voice designs and their versions: the domain rules, no HTTP.

Creating a version is: check the request against what is stored (cheap, fails
fast), design the voice, synthesize its sample, write the sample blob, then
commit the version row. The blob is written before the row so that a crash can
only leave an unreferenced file (swept at the next start), never a row whose
audio is missing.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.design.sampling import SamplingParams
from voicesmith.design.voice_builder import design_voice
from voicesmith.engine.base import VoiceStyle
from voicesmith.engine.languages import resolve_language
from voicesmith.errors import BadRequestError, ConflictError, NotFoundError, ValidationError
from voicesmith.faults import crash_point
from voicesmith.providers import EMBEDDED, Providers
from voicesmith.store.blobs import BlobStore
from voicesmith.store.models import VoiceDesign, VoiceDesignVersion, utcnow
from voicesmith.store.read_queries import DesignSummary, DesignVersionView, ReadQueries
from voicesmith.store.repositories import Page, SortKey, UnitOfWork
from voicesmith.voices.common import check_name, discard_sample_if_unreferenced
from voicesmith.voices.remote_designs import RemoteDesigner, VersionContent
from voicesmith.voices.synthesis import SampleSynthesizer

MAX_VERSIONS = 50


@dataclass(frozen=True)
class DesignRequest:
    prompt: str
    text: str
    name: str | None = None
    voice_design_id: str | None = None
    language: str = "Auto"
    params: SamplingParams = SamplingParams()
    max_new_tokens: int = 2048
    provider: str = "telnyx"


class DesignService:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        blobs: BlobStore,
        synthesizer: SampleSynthesizer,
        providers: Providers | None = None,
    ) -> None:
        self._sessions = sessions
        self._reads = ReadQueries.of(sessions)
        self._blobs = blobs
        self._synth = synthesizer
        self._providers = providers or Providers()
        self._remote = RemoteDesigner(self._providers, blobs, sessions)

    # -- reading ---------------------------------------------------------------

    def get(self, organization: str, ident: str) -> VoiceDesign:
        with UnitOfWork(self._sessions) as uow:
            design = uow.designs.get(organization, ident)
            return design

    def get_version(self, organization: str, ident: str, version: int | None) -> DesignVersionView:
        """The version (the latest if ``version`` is None) with its design's name and times."""
        found = self._reads.design_version(organization, ident, version)
        if found is not None:
            return found
        self.get(organization, ident)  # NotFoundError if the design is not there
        if version is None:
            raise NotFoundError(f"Voice design {ident!r} has no versions")
        raise NotFoundError(f"Voice design {ident!r} has no version {version}")

    def list(self, organization: str, *, name_contains: str | None, sort: SortKey,
             page: Page) -> tuple[builtins.list[DesignSummary], int]:
        """A page of designs, each with its version count and latest version number."""
        return self._reads.design_page(organization, name_contains=name_contains, sort=sort,
                                       number=page.number, size=page.size)

    def sample(self, organization: str, ident: str, version: int | None) -> bytes:
        return self._blobs.get(self.get_version(organization, ident, version).sample_key)

    # -- writing ---------------------------------------------------------------

    def create(self, organization: str, req: DesignRequest) -> VoiceDesignVersion:
        """A new design (version 1) or, with ``voice_design_id``, a new version.

        A new version is made by its design's provider, whatever the request says.
        """
        provider = self._providers.check(req.provider)
        if not req.prompt.strip():
            raise ValidationError("prompt must not be empty", pointer="/prompt")
        if not req.text.strip():
            raise ValidationError("text must not be empty", pointer="/text")
        if req.voice_design_id is not None:
            provider = self._design_provider(organization, req.voice_design_id)
        if provider != EMBEDDED:
            self._check_can_add(organization, req, remote=True)
            content = self._remote.make(provider, prompt=req.prompt, text=req.text,
                                        language=req.language)
            try:
                return self._commit_version(organization, req, content)
            except BaseException:
                self._remote.undo(content)
                raise
        language = resolve_language(req.language, req.text)
        previous = self._check_can_add(organization, req)

        designed = design_voice(req.prompt, language, req.params, self._synth.engine.stock_voices,
                                previous)
        wav = self._synth.sample_wav(req.text, designed.style, designed.language,
                                     max_new_tokens=req.max_new_tokens,
                                     transform=designed.transform)
        key = self._blobs.put(wav)
        crash_point("design.after_sample_write")
        try:
            return self._commit_version(organization, req, VersionContent(
                engine_language=designed.language.code,
                parameters={**asdict(req.params), "max_new_tokens": req.max_new_tokens},
                traits=designed.traits.to_dict(), recipe=designed.recipe,
                style=designed.style.to_bytes(), transform=designed.transform, key=key,
                size=len(wav), provider=EMBEDDED))
        except BaseException:
            self._discard_if_unreferenced(key)
            raise

    def _design_provider(self, organization: str, ident: str) -> str:
        with UnitOfWork(self._sessions) as uow:
            provider = self._target_design(uow, organization, ident).provider or EMBEDDED
        return self._providers.check(provider, pointer="/voice_design_id")

    def _check_can_add(self, organization: str, req: DesignRequest,
                       *, remote: bool = False) -> builtins.list[VoiceStyle]:
        """Fail before synthesis when the request cannot succeed; earlier voices for the penalty."""
        with UnitOfWork(self._sessions) as uow:
            if req.voice_design_id is None:
                self._check_new_name(uow, organization, req.name)
                return []
            design = self._target_design(uow, organization, req.voice_design_id)
            self._check_version_cap(design, len(design.versions))
            if remote:  # a remote voice has no style here to push away from
                return []
            return [VoiceStyle.from_bytes(v.style) for v in design.versions]

    def _commit_version(self, organization: str, req: DesignRequest,
                        content: VersionContent) -> VoiceDesignVersion:
        with UnitOfWork(self._sessions) as uow:
            now = utcnow()
            if req.voice_design_id is None:
                # Checked again: another request may have taken the name meanwhile.
                self._check_new_name(uow, organization, req.name)
                design = VoiceDesign(organization=organization, name=req.name,
                                     provider=content.provider,
                                     created_at=now, updated_at=now, last_version=1)
                uow.add(design)
                number = 1
            else:
                design = self._target_design(uow, organization, req.voice_design_id)
                # Claimed first: versions made at once each get their own number, and
                # the count below (after the claim) sees every one committed before.
                number = uow.designs.claim_version_number(design)
                self._check_version_cap(design, uow.designs.version_count(design))
                design.updated_at = now
            version = VoiceDesignVersion(
                design=design, version=number, prompt=req.prompt, text=req.text,
                language=req.language, engine_language=content.engine_language,
                parameters=content.parameters, traits=content.traits, recipe=content.recipe,
                style=content.style, transform=content.transform, sample_key=content.key,
                sample_size=content.size, created_at=now, provider_voice_id=content.voice_id,
            )
            uow.add(version)
            crash_point("design.before_commit")
            uow.commit()
            return version

    def rename(self, organization: str, ident: str, name: str) -> DesignSummary:
        check_name(name)
        with UnitOfWork(self._sessions) as uow:
            design = uow.designs.get(organization, ident)
            if uow.designs.name_taken(organization, name, excluding=design.id):
                raise ConflictError(f"A voice design named {name!r} already exists", pointer="/name")
            design.name = name
            design.updated_at = utcnow()
            crash_point("rename.before_commit")
            uow.commit()
            return DesignSummary.of_loaded(design)

    def delete(self, organization: str, ident: str) -> None:
        with UnitOfWork(self._sessions) as uow:
            design = uow.designs.get(organization, ident)
            keys = {v.sample_key for v in design.versions}
            voices = {v.provider_voice_id for v in design.versions if v.provider_voice_id}
            provider = design.provider
            uow.delete(design)
            crash_point("delete.before_commit")
            uow.commit()
        crash_point("delete.after_commit")
        for key in keys:
            self._discard_if_unreferenced(key)
        self._remote.forget_unused(provider, voices)

    def delete_version(self, organization: str, ident: str, version: str) -> None:
        if not re.fullmatch(r"[0-9]+", version) or int(version) < 1:  # ASCII digits only
            raise BadRequestError(f"Version must be a positive integer, got {version!r}",
                                  pointer="/version")
        number = int(version)
        with UnitOfWork(self._sessions) as uow:
            design = uow.designs.get(organization, ident)
            target = uow.designs.version(design, number)
            if target is None:
                raise NotFoundError(f"Voice design {ident!r} has no version {number}")
            if len(design.versions) == 1:
                raise ConflictError(
                    "This is the design's only version; delete the design itself instead "
                    "(DELETE /v2/voice_designs/{id}).")
            key = target.sample_key
            voice, provider = target.provider_voice_id, design.provider
            design.versions.remove(target)
            design.updated_at = utcnow()
            crash_point("delete.before_commit")
            uow.commit()
        crash_point("delete.after_commit")
        self._discard_if_unreferenced(key)
        self._remote.forget_unused(provider, {voice} if voice else set())

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def _check_new_name(uow: UnitOfWork, organization: str, name: str | None) -> None:
        if name is None:
            raise ValidationError("name is required when creating a new voice design",
                                  pointer="/name")
        check_name(name)
        if uow.designs.name_taken(organization, name):
            raise ConflictError(f"A voice design named {name!r} already exists", pointer="/name")

    @staticmethod
    def _target_design(uow: UnitOfWork, organization: str, design_id: str) -> VoiceDesign:
        return uow.designs.get(organization, design_id, pointer="/voice_design_id")

    @staticmethod
    def _check_version_cap(design: VoiceDesign, count: int) -> None:
        if count >= MAX_VERSIONS:
            raise ConflictError(
                f"Voice design {design.name!r} already has the maximum of {MAX_VERSIONS} versions; "
                "delete a version or start a new design.", pointer="/voice_design_id")

    def _discard_if_unreferenced(self, key: str) -> None:
        discard_sample_if_unreferenced(self._sessions, self._blobs, key)

