"""SQLAlchemy tables. Wire shapes live in ``voicesmith.api.schemas``, not here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(255))
    organization: Mapped[str] = mapped_column(String(255), index=True)
    # sha256 of the key: keys are 256-bit random tokens, so a fast hash is enough.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the key, shown in `keys list` to tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # voices.keys.Scope: "full" or "read_only". Keys made before scopes existed are full.
    scope: Mapped[str] = mapped_column(String(16), default="full", server_default="full")


class VoiceDesign(Base):
    __tablename__ = "voice_designs"
    __table_args__ = (UniqueConstraint("organization", "name", name="uq_design_org_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(32), default="telnyx")
    # Version numbers only grow, so a deleted version's number is never reused.
    last_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[VoiceDesignVersion]] = relationship(
        back_populates="design",
        cascade="all, delete-orphan",
        order_by="VoiceDesignVersion.version",
        passive_deletes=True,
        # Loaded with the design: results are used after their session closes.
        lazy="selectin",
    )


class VoiceDesignVersion(Base):
    __tablename__ = "voice_design_versions"
    __table_args__ = (UniqueConstraint("design_id", "version", name="uq_version_design_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    design_id: Mapped[str] = mapped_column(
        ForeignKey("voice_designs.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    prompt: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(32))  # what the client asked for
    engine_language: Mapped[str] = mapped_column(String(16))  # what the voice speaks
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    traits: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipe: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The concrete voice (VoiceStyle.to_bytes()): stored, never recomputed. Deferred:
    # half a megabyte per version that reads (list, retrieve) never need; it loads
    # when first touched, inside the session.
    style: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # Its synthesis-time transform (audio.voice_transform: age, timbre, emotion,
    # loudness), or None for a voice the engine speaks as it is. Stored, never recomputed.
    transform: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    sample_key: Mapped[str] = mapped_column(String(64), index=True)
    sample_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A remote provider's voice (provider "minimax": MiniMax's voice id); None for the
    # embedded engine's versions, whose provider_voice_id is the version id.
    provider_voice_id: Mapped[str | None] = mapped_column(String(256), default=None,
                                                          index=True)

    design: Mapped[VoiceDesign] = relationship(back_populates="versions", lazy="joined")


class VoiceClone(Base):
    __tablename__ = "voice_clones"
    __table_args__ = (UniqueConstraint("organization", "name", name="uq_clone_org_name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization: Mapped[str] = mapped_column(String(255), index=True)
    name: Mapped[str] = mapped_column(String(255))
    # Plain columns, not foreign keys: a clone outlives the design it came from.
    source_design_id: Mapped[str | None] = mapped_column(String(36), default=None)
    source_design_version: Mapped[int | None] = mapped_column(Integer, default=None)
    language: Mapped[str | None] = mapped_column(String(32), default=None)
    engine_language: Mapped[str] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(16), default=None)
    label: Mapped[str | None] = mapped_column(Text, default=None)
    provider: Mapped[str] = mapped_column(String(32), default="telnyx")
    model_id: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(16), default="active")
    # "design" (copied from a design version) or "upload" (captured from a recording).
    source: Mapped[str] = mapped_column(String(16), default="design", server_default="design")
    # A copy of the design version's voice, so deleting the design changes nothing.
    style: Mapped[bytes] = mapped_column(LargeBinary)
    # The synthesis-time transform: a design clone's copy of its version's, an upload
    # clone's captured one (audio.voice_transform, or cloning.postprocess's older kind).
    postprocess: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    # Upload clones: how the voice was captured (chosen voices, scores, timings).
    capture: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    sample_key: Mapped[str] = mapped_column(String(64), index=True)
    sample_size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A remote provider's voice (provider "minimax": MiniMax's voice id, which speech
    # sends to MiniMax); None for the embedded engine's clones (their id is theirs).
    provider_voice_id: Mapped[str | None] = mapped_column(String(256), default=None,
                                                          index=True)
