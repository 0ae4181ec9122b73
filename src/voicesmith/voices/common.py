"""Rules shared by designs and clones."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from voicesmith.errors import ConflictError, ValidationError
from voicesmith.ids import is_uuid
from voicesmith.store.blobs import BlobStore
from voicesmith.store.repositories import UnitOfWork

# The embedded engine's models (it answers to Telnyx's provider name, "telnyx"); remote
# providers (voicesmith.providers) name their own.
SUPPORTED_MODELS = ["Qwen3TTS", "Kokoro"]


def check_name(name: str, *, pointer: str = "/name") -> None:
    if not 1 <= len(name) <= 255 or not name.strip():
        raise ValidationError("name must be 1 to 255 characters", pointer=pointer)
    if is_uuid(name):
        raise ValidationError("name must not be a UUID (ids and names share the {id} path)",
                              pointer=pointer)
    if "\x00" in name:  # PostgreSQL text cannot hold it, and no label needs it
        raise ValidationError("name must not contain a NUL character", pointer=pointer)


def discard_sample_if_unreferenced(sessions: sessionmaker[Session], blobs: BlobStore,
                                   key: str) -> None:
    """Delete a sample file once no version or clone refers to it (after the row's commit)."""
    with UnitOfWork(sessions) as uow:
        in_use = uow.sample_key_in_use(key)
    if not in_use:
        blobs.delete(key)


def check_clone_name(uow: UnitOfWork, organization: str, name: str, *,
                     excluding: str | None = None) -> None:
    if uow.clones.name_taken(organization, name, excluding=excluding):
        raise ConflictError(f"A voice clone named {name!r} already exists", pointer="/name")
