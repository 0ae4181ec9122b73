"""The hot reads in SQLAlchemy Core: plain rows on a pooled connection, no ORM session.

Every request looks up its key and most requests are reads. Through an ORM
session (identity map, unit of work, entity loading) a key lookup cost 1.6 ms
of CPU and a design list page 7 ms on the 2-core reference machine; the same
reads as Core statements cost 0.4 and 0.75 ms (a list page, its total and each
design's version count are one statement). Only reads live here, returning
frozen dataclasses; every write goes through the ORM's ``UnitOfWork``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Select, bindparam, func, select
from sqlalchemy.orm import Session, sessionmaker

from voicesmith.ids import is_uuid, storable
from voicesmith.store.models import ApiKey, VoiceDesign, VoiceDesignVersion

_keys = ApiKey.__table__.c
_designs = VoiceDesign.__table__.c
_versions = VoiceDesignVersion.__table__.c


@dataclass(frozen=True)
class KeyRow:
    id: str
    name: str
    organization: str
    prefix: str
    key_hash: str
    created_at: datetime
    revoked_at: datetime | None
    scope: str


@dataclass(frozen=True)
class VersionStats:
    """What a design's summary says of its versions, without loading them."""

    count: int
    latest: int | None


@dataclass(frozen=True)
class DesignSummary:
    """A design as lists show it: its row and what it says of its versions."""

    id: str
    name: str
    created_at: datetime
    updated_at: datetime
    versions: VersionStats
    provider: str = "telnyx"

    @classmethod
    def of_loaded(cls, design: VoiceDesign) -> DesignSummary:
        """From an ORM design whose versions are loaded (what a rename returns)."""
        numbers = [v.version for v in design.versions]
        return cls(design.id, design.name, design.created_at, design.updated_at,
                   VersionStats(len(numbers), max(numbers, default=None)),
                   design.provider or "telnyx")


@dataclass(frozen=True)
class DesignVersionView:
    """One version of a design as a retrieve shows it (never its style bytes)."""

    design_id: str
    name: str
    design_created_at: datetime
    design_updated_at: datetime
    provider: str
    id: str
    version: int
    prompt: str
    text: str
    language: str
    engine_language: str
    parameters: dict[str, Any]
    traits: dict[str, Any]
    recipe: dict[str, Any]
    sample_key: str
    sample_size: int
    created_at: datetime
    provider_voice_id: str | None

    @classmethod
    def of(cls, version: VoiceDesignVersion) -> DesignVersionView:
        """From an ORM version whose design is loaded (what a create returns)."""
        design = version.design
        return cls(design_id=design.id, name=design.name, design_created_at=design.created_at,
                   design_updated_at=design.updated_at, provider=design.provider or "telnyx",
                   **{name: getattr(version, name) for name in _VERSION_FIELDS})


_VERSION_FIELDS = ("id", "version", "prompt", "text", "language", "engine_language",
                   "parameters", "traits", "recipe", "sample_key", "sample_size", "created_at",
                   "provider_voice_id")

_KEY_BY_PREFIX = select(*(getattr(_keys, f) for f in KeyRow.__dataclass_fields__)).where(
    _keys.prefix == bindparam("prefix"))

_VERSION_COUNT = (select(func.count()).where(_versions.design_id == _designs.id)
                  .scalar_subquery())
_LATEST_VERSION = (select(func.max(_versions.version)).where(_versions.design_id == _designs.id)
                   .scalar_subquery())
MAX_OFFSET = 2**62  # SQLite's OFFSET is a signed 64-bit integer


def _matching(filtered: bool) -> Select[Any]:
    stmt = select().select_from(VoiceDesign.__table__).where(
        _designs.organization == bindparam("organization"))
    if filtered:
        # The pattern is escaped in Python (_like_pattern): a name may hold % or _.
        stmt = stmt.where(func.lower(_designs.name).like(bindparam("pattern"), escape="/"))
    return stmt


def _page(sort: str, filtered: bool) -> Select[Any]:
    column = _designs.name if sort.lstrip("-") == "name" else _designs.created_at
    # The total rides along as a window count; the id breaks ties (stable paging).
    return (_matching(filtered)
            .add_columns(_designs.id, _designs.name, _designs.created_at, _designs.updated_at,
                         _VERSION_COUNT, _LATEST_VERSION, func.count().over(), _designs.provider)
            .order_by(column.desc() if sort.startswith("-") else column.asc(), _designs.id)
            .offset(bindparam("offset")).limit(bindparam("limit")))


def _version(by_id: bool, latest: bool) -> Select[Any]:
    stmt = (select(_designs.id, _designs.name, _designs.created_at, _designs.updated_at,
                   func.coalesce(_designs.provider, "telnyx"),
                   *(getattr(_versions, f) for f in _VERSION_FIELDS))
            .join_from(VoiceDesignVersion.__table__, VoiceDesign.__table__)
            .where(_designs.organization == bindparam("organization"),
                   (_designs.id if by_id else _designs.name) == bindparam("ident")))
    return (stmt.order_by(_versions.version.desc()).limit(1) if latest
            else stmt.where(_versions.version == bindparam("number")))


# Built once: a statement built per request cost more than running it (its cache key).
_PAGES = {(sort, filtered): _page(sort, filtered)
          for sort in ("name", "-name", "created_at", "-created_at") for filtered in (False, True)}
_TOTALS = {filtered: select(func.count()).select_from(
    _matching(filtered).add_columns(_designs.id).subquery()) for filtered in (False, True)}
_VERSIONS = {(by_id, latest): _version(by_id, latest)
             for by_id in (False, True) for latest in (False, True)}


def _like_pattern(name_contains: str) -> str:
    escaped = name_contains.lower().replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def engine_of(sessions: sessionmaker[Session]) -> Engine:
    engine = sessions.kw["bind"]
    if not isinstance(engine, Engine):
        raise TypeError("the session factory is not bound to an engine")
    return engine


class ReadQueries:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def of(cls, sessions: sessionmaker[Session]) -> ReadQueries:
        return cls(engine_of(sessions))

    def keys_by_prefix(self, prefix: str) -> list[KeyRow]:
        """Keys whose shown (non-secret) prefix is ``prefix``: candidates to verify."""
        with self._engine.connect() as conn:
            return [KeyRow(*row) for row in conn.execute(_KEY_BY_PREFIX, {"prefix": prefix})]

    def design_page(self, organization: str, *, name_contains: str | None, sort: str,
                    number: int, size: int) -> tuple[list[DesignSummary], int]:
        """One page of an organization's designs and how many match in all."""
        filtered = bool(name_contains)
        params: dict[str, Any] = {"organization": organization}
        if name_contains:
            params["pattern"] = _like_pattern(name_contains)
        offset = (number - 1) * size
        with self._engine.connect() as conn:
            if offset <= MAX_OFFSET:
                rows = conn.execute(_PAGES[sort, filtered],
                                    {**params, "offset": offset, "limit": size}).all()
                if rows:
                    return [DesignSummary(r[0], r[1], r[2], r[3], VersionStats(r[4], r[5]),
                                          r[7] or "telnyx") for r in rows], int(rows[0][6])
            # Past the last page: empty, with the total alone.
            return [], int(conn.execute(_TOTALS[filtered], params).scalar_one())

    def design_version(self, organization: str, ident: str,
                       number: int | None) -> DesignVersionView | None:
        """One version (the latest if ``number`` is None) of the design ``ident`` (UUID or name)."""
        if not storable(ident):
            return None
        stmt = _VERSIONS[is_uuid(ident), number is None]
        with self._engine.connect() as conn:
            row = conn.execute(stmt, {"organization": organization, "ident": ident,
                                      "number": number}).first()
        if row is None:
            return None
        return DesignVersionView(*row)
