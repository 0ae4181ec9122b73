"""Repositories over the tables, and the unit of work: the only place that commits.

A unit of work also turns a database that stayed locked, or is full, into the
domain's errors (``store.database.domain_error``), so no caller sees a raw
driver error for either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Generic, Literal, TypeVar

from sqlalchemy import Select, func, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, defer, raiseload, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from voicesmith.errors import ConflictError, NotFoundError
from voicesmith.ids import is_uuid, storable
from voicesmith.store.database import domain_error
from voicesmith.store.models import ApiKey, VoiceClone, VoiceDesign, VoiceDesignVersion
from voicesmith.store.read_queries import MAX_OFFSET

SortKey = Literal["name", "-name", "created_at", "-created_at"]
Named = TypeVar("Named", VoiceDesign, VoiceClone)


@dataclass(frozen=True)
class Page:
    number: int
    size: int


_Named = TypeVar("_Named", VoiceDesign, VoiceClone)

class _NamedRepository(Generic[_Named]):
    """Lookup, listing and paging shared by designs and clones (org-scoped, named)."""

    model: type[_Named]
    noun: str  # what a user calls it, for "not found" errors
    # Loader options for listed rows (what a list page never shows is not loaded).
    list_options: tuple = ()

    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, organization: str, ident: str) -> _Named | None:
        """By UUID or by name, within one organization only."""
        if not storable(ident):
            return None
        model = self.model
        column = model.id if is_uuid(ident) else model.name
        stmt = select(model).where(model.organization == organization, column == ident)
        return self.session.scalars(stmt).first()

    def get(self, organization: str, ident: str, *, pointer: str | None = None) -> _Named:
        """``find``, or NotFoundError (naming ``pointer``, when the id came in a body field)."""
        found = self.find(organization, ident)
        if found is None:
            raise NotFoundError(f"{self.noun} {ident!r} not found", pointer=pointer)
        return found

    def name_taken(self, organization: str, name: str, *, excluding: str | None = None) -> bool:
        model = self.model
        stmt = select(model.id).where(model.organization == organization, model.name == name)
        if excluding is not None:
            stmt = stmt.where(model.id != excluding)
        return self.session.scalars(stmt).first() is not None

    def page(
        self,
        organization: str,
        *,
        name_contains: str | None,
        sort: SortKey,
        page: Page,
        extra: Sequence = (),
    ) -> tuple[list[_Named], int]:
        model = self.model
        stmt: Select = select(model).where(model.organization == organization, *extra)
        if name_contains:
            stmt = stmt.where(func.lower(model.name).contains(name_contains.lower(), autoescape=True))
        offset = (page.number - 1) * page.size
        column = model.name if sort.lstrip("-") == "name" else model.created_at
        order = column.desc() if sort.startswith("-") else column.asc()
        if offset <= MAX_OFFSET:
            # The page and the total in one query (a window count over every match);
            # the id breaks ties so that paging is stable across requests.
            total_col = func.count().over().label("total")
            rows = self.session.execute(
                stmt.add_columns(total_col).options(*self.list_options)
                .order_by(order, model.id).offset(offset).limit(page.size)).all()
            if rows:
                return [row[0] for row in rows], int(rows[0].total)
        # Past the last page: empty, with the total alone (and no OFFSET the
        # database cannot hold: SQLite's is 64-bit).
        total = self.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        return [], total


class DesignRepository(_NamedRepository[VoiceDesign]):
    model = VoiceDesign
    noun = "Voice design"
    list_options = (raiseload(VoiceDesign.versions),)

    def claim_version_number(self, design: VoiceDesign) -> int:
        """The design's next version number, claimed by one atomic UPDATE.

        Read-then-write would give two versions made at once the same number (the
        second then failing on the unique constraint). The UPDATE also holds the row
        (PostgreSQL: its row lock; SQLite: the database's write lock) until commit, so
        ``version_count`` after it sees every version committed before.
        """
        number = self.session.execute(
            update(VoiceDesign).where(VoiceDesign.id == design.id)
            .values(last_version=VoiceDesign.last_version + 1)
            .returning(VoiceDesign.last_version)
            .execution_options(synchronize_session=False)).scalar_one_or_none()
        if number is None:
            raise NotFoundError("The voice design was deleted while this version was made",
                                pointer="/voice_design_id")
        design.last_version = number
        return number

    def version_count(self, design: VoiceDesign) -> int:
        stmt = select(func.count()).where(VoiceDesignVersion.design_id == design.id)
        return int(self.session.scalar(stmt) or 0)

    def latest_version(self, design: VoiceDesign) -> VoiceDesignVersion | None:
        return design.versions[-1] if design.versions else None

    def version(self, design: VoiceDesign, number: int) -> VoiceDesignVersion | None:
        return next((v for v in design.versions if v.version == number), None)


class CloneRepository(_NamedRepository[VoiceClone]):
    model = VoiceClone
    noun = "Voice clone"
    list_options = (defer(VoiceClone.style),)  # half a megabyte each, never listed

    def all(self, organization: str) -> list[VoiceClone]:
        """Every clone of an organization, newest first, without loading their voices."""
        stmt = (select(VoiceClone).where(VoiceClone.organization == organization)
                .options(defer(VoiceClone.style), defer(VoiceClone.capture))
                .order_by(VoiceClone.created_at.desc()))
        return list(self.session.scalars(stmt))


class KeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[ApiKey]:
        return list(self.session.scalars(select(ApiKey).order_by(ApiKey.created_at)))

    def find(self, ident: str) -> list[ApiKey]:
        """Keys whose id, name or shown prefix is ``ident``."""
        stmt = select(ApiKey).where(
            (ApiKey.id == ident) | (ApiKey.name == ident) | (ApiKey.prefix == ident)
        )
        return list(self.session.scalars(stmt))

    def any_active(self) -> bool:
        stmt = select(ApiKey.id).where(ApiKey.revoked_at.is_(None)).limit(1)
        return self.session.scalars(stmt).first() is not None


class UnitOfWork:
    """One transaction. Repositories add and change; ``commit`` makes it durable.

    Leaving the block without committing rolls everything back.
    """

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self.designs = DesignRepository(self.session)
        self.clones = CloneRepository(self.session)
        self.keys = KeyRepository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        # close() discards an uncommitted transaction without expiring what was
        # loaded, so results stay readable after the block (detached).
        self.session.close()
        # A locked or full database, wherever in the block it showed (a query's
        # autoflush, the commit): the client's error, not a server fault.
        if isinstance(exc, DBAPIError) and (domain := domain_error(exc)) is not None:
            raise domain from exc

    def add(self, obj: object) -> None:
        self.session.add(obj)

    def delete(self, obj: object) -> None:
        self.session.delete(obj)

    def flush(self) -> None:
        self.session.flush()

    def commit(self) -> None:
        try:
            self.session.commit()
        except IntegrityError as exc:
            # Two requests raced for the same name: the database kept one.
            self.session.rollback()
            raise ConflictError("A resource with this name already exists", pointer="/name") from exc
        except StaleDataError as exc:
            # The row was deleted by a concurrent request between our read and this write.
            self.session.rollback()
            raise NotFoundError("The resource was deleted while this request changed it") from exc

    def referenced_sample_keys(self) -> set[str]:
        keys = set(self.session.scalars(select(VoiceDesignVersion.sample_key)))
        keys.update(self.session.scalars(select(VoiceClone.sample_key)))
        return keys

    def provider_voice_in_use(self, voice_id: str) -> bool:
        """Whether a design version or clone still speaks with this remote voice."""
        in_versions = select(VoiceDesignVersion.id).where(
            VoiceDesignVersion.provider_voice_id == voice_id)
        in_clones = select(VoiceClone.id).where(VoiceClone.provider_voice_id == voice_id)
        return (self.session.scalars(in_versions.limit(1)).first() is not None
                or self.session.scalars(in_clones.limit(1)).first() is not None)

    def provider_voice_in_use_elsewhere(self, voice_id: str, *, clone_id: str) -> bool:
        """Whether a design version or a clone other than ``clone_id`` uses this remote voice."""
        in_versions = select(VoiceDesignVersion.id).where(
            VoiceDesignVersion.provider_voice_id == voice_id)
        in_clones = select(VoiceClone.id).where(VoiceClone.provider_voice_id == voice_id,
                                                VoiceClone.id != clone_id)
        return (self.session.scalars(in_versions.limit(1)).first() is not None
                or self.session.scalars(in_clones.limit(1)).first() is not None)

    def sample_key_in_use(self, key: str) -> bool:
        in_versions = select(VoiceDesignVersion.id).where(VoiceDesignVersion.sample_key == key)
        in_clones = select(VoiceClone.id).where(VoiceClone.sample_key == key)
        return (
            self.session.scalars(in_versions.limit(1)).first() is not None
            or self.session.scalars(in_clones.limit(1)).first() is not None
        )
