"""Design versions made by a remote provider (``minimax``): the provider's side of a version.

The order keeps nothing half-stored: the provider designs the voice, its
preview is written as the sample blob, then ``DesignService`` commits the
row. If the row cannot be committed (a name taken meanwhile, a full disk),
``undo`` removes the blob and asks the provider to delete the voice it made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.engine.languages import resolve_language
from voicesmith.errors import ProviderError, ValidationError
from voicesmith.faults import crash_point
from voicesmith.providers import Providers
from voicesmith.store.blobs import BlobStore
from voicesmith.store.repositories import UnitOfWork
from voicesmith.voices.common import discard_sample_if_unreferenced

log = logging.getLogger(__name__)

# MiniMax's voice design reads at most this much preview text.
MAX_PREVIEW_CHARS = 500
# What a remote version records of the request: the Qwen3-only sampling parameters
# (temperature, top_k, top_p, repetition_penalty, max_new_tokens, seed) mean nothing
# to MiniMax and are ignored, as Telnyx documents for provider minimax.
IGNORED = ["temperature", "top_k", "top_p", "repetition_penalty", "max_new_tokens", "seed"]


@dataclass(frozen=True)
class VersionContent:
    """What a new version row holds besides the request's own fields."""

    engine_language: str
    parameters: dict[str, Any]
    traits: dict[str, Any]
    recipe: dict[str, Any]
    style: bytes
    transform: dict[str, Any] | None
    key: str
    size: int
    provider: str
    voice_id: str | None = None


def remote_language(language: str, text: str) -> str:
    """The language code to record: ours where we know it, else the request's as given.

    MiniMax speaks languages the embedded engine has no voices for (German,
    Korean, ...), so an unsupported one is no error here.
    """
    try:
        return resolve_language(language, text).code
    except ValidationError:
        return language.lower()[:16] or "auto"


class RemoteDesigner:
    def __init__(self, providers: Providers, blobs: BlobStore,
                 sessions: sessionmaker[Session]) -> None:
        self._providers = providers
        self._blobs = blobs
        self._sessions = sessions

    def make(self, provider: str, *, prompt: str, text: str, language: str) -> VersionContent:
        """Design the voice remotely and store its preview; the row is the caller's."""
        if len(text) > MAX_PREVIEW_CHARS:
            raise ValidationError(
                f"text is {len(text)} characters; provider {provider!r} previews at most "
                f"{MAX_PREVIEW_CHARS}. Shorten the sample text.", pointer="/text")
        remote = self._providers.get(provider)
        designed = remote.design(prompt, text)
        try:
            key = self._blobs.put(designed.sample_wav)
        except BaseException:
            self._delete_voice(provider, designed.voice_id)
            raise
        crash_point("design.after_sample_write")
        return VersionContent(
            engine_language=remote_language(language, text),
            parameters={"provider": provider, "ignored": IGNORED},
            traits={}, recipe={"provider": provider, "voice_id": designed.voice_id},
            style=b"", transform=None, key=key, size=len(designed.sample_wav),
            provider=provider, voice_id=designed.voice_id)

    def undo(self, content: VersionContent) -> None:
        """The row was not committed: nothing of the version may stay."""
        discard_sample_if_unreferenced(self._sessions, self._blobs, content.key)
        if content.voice_id:
            self._delete_voice(content.provider, content.voice_id)

    def forget_unused(self, provider: str | None, voice_ids: Iterable[str]) -> None:
        """After a delete's commit: remote voices no version or clone uses any more.

        Best effort (logged): the rows are gone, and a voice left on MiniMax
        costs nothing until used (MiniMax drops unused voices after 7 days).
        """
        for voice_id in voice_ids:
            with UnitOfWork(self._sessions) as uow:
                if uow.provider_voice_in_use(voice_id):
                    continue
            self._delete_voice(provider or "", voice_id)

    def _delete_voice(self, provider: str, voice_id: str) -> None:
        try:
            self._providers.get(provider).delete_voice(voice_id, designed=True)
        except (ProviderError, ValidationError) as exc:
            log.warning("could not delete %s voice %s: %s", provider, voice_id, exc)
